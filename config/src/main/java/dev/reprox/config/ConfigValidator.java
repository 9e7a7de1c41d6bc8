package dev.reprox.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the merged tree (built-ins, file, environment, CLI) into a {@link ReproxConfig}, or throws
 * one {@link ConfigException} with every error found, so a user fixes them all in one round.
 */
final class ConfigValidator {
  static final List<String> KEYS =
      List.of("listen", "data", "offline", "max-connections", "repositories", "tunnel-allow", "upstreams",
          "log", "api", "builds", "retention", "threads", "storage", "server");
  static final List<String> LOG_KEYS = ReproxEnvironment.LOG_KEYS;
  static final List<String> BUILDS_KEYS = List.of("retention", "max-labels");
  static final List<String> SERVER_KEYS = List.of("transport");
  static final String DEFAULT_LISTEN = "127.0.0.1:3142";
  static final String DEFAULT_DATA = "./reprox-data";

  private final Fields fields;

  ConfigValidator(Fields fields) {
    this.fields = fields;
  }

  ReproxConfig validate(JsonNode root) throws ConfigException {
    fields.unknownKeys("", root, KEYS);
    InetSocketAddress listen = fields.text("listen", root.get("listen"))
        .flatMap(this::listen)
        .orElseGet(() -> HostPort.parse(DEFAULT_LISTEN));
    Path data = fields.text("data", root.get("data"))
        .flatMap(this::data)
        .orElse(Path.of(DEFAULT_DATA));
    boolean offline = fields.bool("offline", root.get("offline")).orElse(false);
    int maxConnections = fields.text("max-connections", root.get("max-connections"))
        .flatMap(this::maxConnections)
        .orElseGet(ReproxConfig::defaultMaxConnections);
    Map<String, RepositoryConfig> repositories = repositories(root.get("repositories"), offline);
    UpstreamsValidator network = new UpstreamsValidator(fields);
    List<String> tunnelAllow = network.tunnelAllow(root.get("tunnel-allow"));
    Map<String, UpstreamConfig> upstreams = network.upstreams(root.get("upstreams"));
    ReproxConfig.Log log = log(root.get("log"));
    ApiConfig api = new ApiValidator(fields).validate(root.get("api"));
    ReproxConfig.Builds builds = builds(root.get("builds"));
    RetentionConfig retention = new RetentionValidator(fields).validate(root.get("retention"), repositories.keySet());
    ThreadsConfig threads = new ThreadsValidator(fields).validate(root.get("threads"));
    StorageConfig storage = new StorageValidator(fields).validate(root.get("storage"), data);
    ReproxConfig.Server server = server(root.get("server"));
    if (fields.hasErrors()) {
      throw new ConfigException(fields.errors());
    }
    return new ReproxConfig(listen, data, offline, repositories, tunnelAllow, upstreams, maxConnections, log, api,
        builds, retention, threads, storage, server);
  }

  /** {@code server:}; whether the chosen transport exists on this host is the server's to check. */
  private ReproxConfig.Server server(JsonNode node) {
    if (node == null || node.isNull()) {
      return ReproxConfig.Server.DEFAULT;
    }
    if (!node.isObject()) {
      fields.error("server", "must be a mapping with transport");
      return ReproxConfig.Server.DEFAULT;
    }
    fields.unknownKeys("server", node, SERVER_KEYS);
    ReproxConfig.Server.Transport transport = fields.text("server.transport", node.get("transport")).flatMap(text -> {
      for (ReproxConfig.Server.Transport t : ReproxConfig.Server.Transport.values()) {
        if (t.spelling().equals(text)) {
          return Optional.of(t);
        }
      }
      fields.error("server.transport", "must be auto, epoll, io_uring or nio: " + Fields.quote(text));
      return Optional.<ReproxConfig.Server.Transport>empty();
    }).orElse(ReproxConfig.Server.Transport.AUTO);
    return new ReproxConfig.Server(transport);
  }

  private ReproxConfig.Builds builds(JsonNode node) {
    ReproxConfig.Builds d = ReproxConfig.Builds.DEFAULT;
    if (node == null || node.isNull()) {
      return d;
    }
    if (!node.isObject()) {
      fields.error("builds", "must be a mapping with retention and max-labels");
      return d;
    }
    fields.unknownKeys("builds", node, BUILDS_KEYS);
    java.time.Duration retention = fields.text("builds.retention", node.get("retention")).flatMap(text -> {
      Optional<java.time.Duration> r = Durations.parse(text).filter(x -> x.compareTo(ReproxConfig.Builds.MIN_RETENTION) >= 0
          && x.compareTo(ReproxConfig.Builds.MAX_RETENTION) <= 0);
      if (r.isEmpty()) {
        fields.error("builds.retention", "must be a duration from 1d to 3650d (e.g. 90d): " + Fields.quote(text));
      }
      return r;
    }).orElse(d.retention());
    int maxLabels = fields.text("builds.max-labels", node.get("max-labels")).flatMap(text -> {
      if (text.matches("\\d{1,7}")) {
        int n = Integer.parseInt(text);
        if (n >= 1 && n <= ReproxConfig.Builds.MAX_LABELS_CEILING) {
          return Optional.of(n);
        }
      }
      fields.error("builds.max-labels", "must be a whole number from 1 to " + ReproxConfig.Builds.MAX_LABELS_CEILING
          + ": " + Fields.quote(text));
      return Optional.<Integer>empty();
    }).orElse(d.maxLabels());
    return new ReproxConfig.Builds(retention, maxLabels);
  }

  private ReproxConfig.Log log(JsonNode node) {
    if (node == null || node.isNull()) {
      return ReproxConfig.Log.DEFAULT;
    }
    if (!node.isObject()) {
      fields.error("log", "must be a mapping with access and format");
      return ReproxConfig.Log.DEFAULT;
    }
    fields.unknownKeys("log", node, LOG_KEYS);
    boolean access = fields.bool("log.access", node.get("access")).orElse(true);
    ReproxConfig.Log.Format format = fields.text("log.format", node.get("format")).flatMap(text -> {
      for (ReproxConfig.Log.Format f : ReproxConfig.Log.Format.values()) {
        if (f.name().equalsIgnoreCase(text)) {
          return Optional.of(f);
        }
      }
      fields.error("log.format", "must be text or json: " + Fields.quote(text));
      return Optional.empty();
    }).orElse(ReproxConfig.Log.Format.TEXT);
    ReproxConfig.Log.LeakDetection leaks = fields.text("log.leak-detection", node.get("leak-detection")).flatMap(text -> {
      for (ReproxConfig.Log.LeakDetection l : ReproxConfig.Log.LeakDetection.values()) {
        if (l.name().equalsIgnoreCase(text)) {
          return Optional.of(l);
        }
      }
      fields.error("log.leak-detection", "must be disabled, simple, advanced or paranoid: " + Fields.quote(text));
      return Optional.empty();
    }).orElse(ReproxConfig.Log.LeakDetection.DISABLED);
    return new ReproxConfig.Log(access, format, leaks);
  }

  private Optional<InetSocketAddress> listen(String text) {
    try {
      return Optional.of(HostPort.parse(text));
    } catch (IllegalArgumentException e) {
      fields.error("listen", e.getMessage() + ": " + Fields.quote(text));
      return Optional.empty();
    }
  }

  private Optional<Integer> maxConnections(String text) {
    if (text.matches("\\d{1,7}")) {
      int n = Integer.parseInt(text);
      if (n >= 1 && n <= ReproxConfig.MAX_CONNECTIONS_CEILING) {
        return Optional.of(n);
      }
    }
    fields.error("max-connections", "must be a whole number from 1 to " + ReproxConfig.MAX_CONNECTIONS_CEILING
        + ": " + Fields.quote(text));
    return Optional.empty();
  }

  private Optional<Path> data(String text) {
    try {
      return Optional.of(Path.of(text));
    } catch (InvalidPathException e) {
      fields.error("data", "not a path (" + e.getReason() + "): " + Fields.quote(text));
      return Optional.empty();
    }
  }

  private Map<String, RepositoryConfig> repositories(JsonNode node, boolean offline) {
    Map<String, RepositoryConfig> repositories = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return repositories;
    }
    if (!node.isObject()) {
      fields.error("repositories", "must be a mapping of repository name to its settings");
      return repositories;
    }
    RepositoryValidator validator = new RepositoryValidator(fields);
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      validator.validate(entry.getKey(), entry.getValue(), offline)
          .ifPresent(repository -> repositories.put(entry.getKey(), repository));
    }
    return repositories;
  }
}
