package dev.reprox.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The effective configuration.
 *
 * @param listen address the server binds ({@code listen:}, default 127.0.0.1:3142)
 * @param data data directory ({@code data:}, default ./reprox-data)
 * @param offline never contact an upstream ({@code offline:})
 * @param repositories by name, in a stable order (built-ins first, then the file's)
 * @param tunnelAllow {@code HOST:PORT}s a forward-mode {@code CONNECT} may reach
 *     ({@code tunnel-allow:}, lower-case host, empty by default: reprox is never an open proxy)
 * @param upstreams per-host politeness overrides ({@code upstreams:}), by origin
 *     ({@code scheme://host[:port]}, as {@link UpstreamConfig#origin()} spells it)
 * @param maxConnections client connections served at once ({@code max-connections:}, default
 *     {@link #defaultMaxConnections()}); a few more are let in for health checks only
 * @param log the access log switch and the log format ({@code log:})
 * @param api the API's tokens ({@code api:}, none by default: admin actions disabled, reads open)
 * @param builds how long build records are kept and how many labels may be held ({@code builds:})
 * @param retention what {@code reprox gc} keeps ({@code retention:}, {@link RetentionConfig#DEFAULT})
 * @param threads the size of each thread pool ({@code threads:}, {@link ThreadsConfig#DEFAULT})
 * @param storage where the archive lives ({@code storage:}, default RocksDB in {@code data})
 * @param server how the listener runs ({@code server:}, {@link Server#DEFAULT})
 */
public record ReproxConfig(
    InetSocketAddress listen, Path data, boolean offline, Map<String, RepositoryConfig> repositories,
    List<String> tunnelAllow, Map<String, UpstreamConfig> upstreams, int maxConnections, Log log, ApiConfig api,
    Builds builds, RetentionConfig retention, ThreadsConfig threads, StorageConfig storage, Server server) {

  /**
   * {@code server:}: {@code transport} is the network I/O the event loops use ({@link
   * Transport#AUTO} by default: the best one this host offers).
   */
  public record Server(Transport transport) {
    public static final Server DEFAULT = new Server(Transport.AUTO);

    /** The spellings of {@code server.transport}, as Netty names its transports. */
    public enum Transport {
      AUTO, EPOLL, IO_URING, NIO;

      /** As written in the configuration: {@code auto}, {@code epoll}, {@code io_uring}, {@code nio}. */
      public String spelling() {
        return name().toLowerCase(java.util.Locale.ROOT);
      }
    }

    public Server {
      java.util.Objects.requireNonNull(transport, "transport");
    }
  }

  /**
   * {@code builds:}: a build label's record is deleted once it has not been used for
   * {@code retention} (default 90 days); at most {@code maxLabels} labels are held (default
   * 10,000), and a label beyond them is not recorded (no held record is ever pushed out by a
   * newcomer).
   */
  public record Builds(java.time.Duration retention, int maxLabels) {
    public static final Builds DEFAULT = new Builds(java.time.Duration.ofDays(90), 10_000);
    /** Bounds of the settings: a day to ten years, one label to a million. */
    public static final java.time.Duration MIN_RETENTION = java.time.Duration.ofDays(1);
    public static final java.time.Duration MAX_RETENTION = java.time.Duration.ofDays(3650);
    public static final int MAX_LABELS_CEILING = 1_000_000;

    public Builds {
      java.util.Objects.requireNonNull(retention, "retention");
      if (maxLabels < 1) {
        throw new IllegalArgumentException("maxLabels must be positive: " + maxLabels);
      }
    }
  }

  /**
   * {@code log:}: {@code access} writes one line per request on the {@code reprox.access} logger
   * (default true); {@code format} is {@code text} (default) or {@code json} (one JSON object per
   * line, for log shippers); {@code leakDetection} is how much of Netty's buffer leak detector runs
   * and logs ({@code disabled} by default: at Netty's own default, {@code simple}, it tracked a
   * sample of every buffer and cost a warm hit a few per cent of its CPU, issue 14).
   */
  public record Log(boolean access, Format format, LeakDetection leakDetection) {
    public static final Log DEFAULT = new Log(true, Format.TEXT);

    public enum Format { TEXT, JSON }

    /** Netty's levels of {@code io.netty.util.ResourceLeakDetector}, by the same names. */
    public enum LeakDetection { DISABLED, SIMPLE, ADVANCED, PARANOID }

    public Log {
      java.util.Objects.requireNonNull(format, "format");
      java.util.Objects.requireNonNull(leakDetection, "leakDetection");
    }

    /** With leak detection disabled (the default). */
    public Log(boolean access, Format format) {
      this(access, format, LeakDetection.DISABLED);
    }
  }

  /** The largest {@code max-connections} accepted: far above any fd limit a host grants. */
  public static final int MAX_CONNECTIONS_CEILING = 1_000_000;

  public ReproxConfig {
    repositories = Collections.unmodifiableMap(new LinkedHashMap<>(repositories));
    tunnelAllow = List.copyOf(tunnelAllow);
    upstreams = Collections.unmodifiableMap(new LinkedHashMap<>(upstreams));
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be positive: " + maxConnections);
    }
    java.util.Objects.requireNonNull(log, "log");
    java.util.Objects.requireNonNull(api, "api");
    java.util.Objects.requireNonNull(builds, "builds");
    java.util.Objects.requireNonNull(retention, "retention");
    java.util.Objects.requireNonNull(threads, "threads");
    java.util.Objects.requireNonNull(storage, "storage");
    java.util.Objects.requireNonNull(server, "server");
  }

  /**
   * With the default build-record settings, retention, thread pools and transport, on the
   * single-node RocksDB store in {@code data}.
   */
  public ReproxConfig(InetSocketAddress listen, Path data, boolean offline, Map<String, RepositoryConfig> repositories,
      List<String> tunnelAllow, Map<String, UpstreamConfig> upstreams, int maxConnections, Log log, ApiConfig api) {
    this(listen, data, offline, repositories, tunnelAllow, upstreams, maxConnections, log, api, Builds.DEFAULT,
        RetentionConfig.DEFAULT, ThreadsConfig.DEFAULT, StorageConfig.ROCKSDB, Server.DEFAULT);
  }

  /** This configuration with {@code retention} instead of its own (tests and embedders). */
  public ReproxConfig withRetention(RetentionConfig retention) {
    return new ReproxConfig(listen, data, offline, repositories, tunnelAllow, upstreams, maxConnections, log, api,
        builds, retention, threads, storage, server);
  }

  /** This configuration with {@code threads} instead of its pool sizes (tests and embedders). */
  public ReproxConfig withThreads(ThreadsConfig threads) {
    return new ReproxConfig(listen, data, offline, repositories, tunnelAllow, upstreams, maxConnections, log, api,
        builds, retention, threads, storage, server);
  }

  /** With the default log settings and no API tokens (admin actions disabled, reads open). */
  public ReproxConfig(InetSocketAddress listen, Path data, boolean offline, Map<String, RepositoryConfig> repositories,
      List<String> tunnelAllow, Map<String, UpstreamConfig> upstreams, int maxConnections) {
    this(listen, data, offline, repositories, tunnelAllow, upstreams, maxConnections, Log.DEFAULT);
  }

  /** Without API tokens (admin actions disabled, reads open). */
  public ReproxConfig(InetSocketAddress listen, Path data, boolean offline, Map<String, RepositoryConfig> repositories,
      List<String> tunnelAllow, Map<String, UpstreamConfig> upstreams, int maxConnections, Log log) {
    this(listen, data, offline, repositories, tunnelAllow, upstreams, maxConnections, log, ApiConfig.NONE);
  }

  /** This configuration with {@code api} instead of its tokens (tests and embedders). */
  public ReproxConfig withApi(ApiConfig api) {
    return new ReproxConfig(listen, data, offline, repositories, tunnelAllow, upstreams, maxConnections, log, api,
        builds, retention, threads, storage, server);
  }

  /** This configuration with other build-record settings (tests and embedders). */
  public ReproxConfig withBuilds(Builds builds) {
    return new ReproxConfig(listen, data, offline, repositories, tunnelAllow, upstreams, maxConnections, log, api,
        builds, retention, threads, storage, server);
  }

  /** This configuration with {@code storage} instead of its own (tests and embedders). */
  public ReproxConfig withStorage(StorageConfig storage) {
    return new ReproxConfig(listen, data, offline, repositories, tunnelAllow, upstreams, maxConnections, log, api,
        builds, retention, threads, storage, server);
  }

  /** This configuration with other {@code server:} settings (tests and embedders). */
  public ReproxConfig withServer(Server server) {
    return new ReproxConfig(listen, data, offline, repositories, tunnelAllow, upstreams, maxConnections, log, api,
        builds, retention, threads, storage, server);
  }

  /** With the default connection limit. */
  public ReproxConfig(InetSocketAddress listen, Path data, boolean offline, Map<String, RepositoryConfig> repositories,
      List<String> tunnelAllow, Map<String, UpstreamConfig> upstreams) {
    this(listen, data, offline, repositories, tunnelAllow, upstreams, defaultMaxConnections());
  }

  /**
   * min(4096, half the process's file-descriptor limit): the other half is left for upstream
   * connections, tunnels' second sockets and the store's files. 4096 where the limit is unknown.
   * Read once: every configuration's validation asks, and the JMX bean behind the fallback loads
   * some sixty classes (a tenth of a client command's configuration time).
   */
  public static int defaultMaxConnections() {
    return DefaultConnections.VALUE;
  }

  private static final class DefaultConnections {
    static final int VALUE = fromOpenFiles(current());

    private static long current() {
      try {
        long fds = ReproxConfig.openFilesLimit(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/limits")));
        if (fds > 0) {
          return fds;
        }
      } catch (java.io.IOException | RuntimeException e) {
        // not Linux, or no /proc: the JMX bean below
      }
      if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
          instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
        return unix.getMaxFileDescriptorCount();
      }
      return -1;
    }
  }

  /** The connection limit for a descriptor limit of {@code fds}; 4096 when it is unknown (≤ 0). */
  static int fromOpenFiles(long fds) {
    return fds > 0 ? (int) Math.max(1, Math.min(4096, fds / 2)) : 4096;
  }

  /**
   * The soft limit of "Max open files" in a {@code /proc/<pid>/limits} text (the one the process
   * runs under, which the JVM raised to the hard limit at start); -1 for "unlimited" or none.
   */
  static long openFilesLimit(String procLimits) {
    for (String line : procLimits.split("\n")) {
      if (line.startsWith("Max open files")) {
        String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
        try {
          return Long.parseLong(fields[0]);
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  /** Without tunnels and politeness overrides (tests and older callers). */
  public ReproxConfig(InetSocketAddress listen, Path data, boolean offline, Map<String, RepositoryConfig> repositories) {
    this(listen, data, offline, repositories, List.of(), Map.of());
  }
}
