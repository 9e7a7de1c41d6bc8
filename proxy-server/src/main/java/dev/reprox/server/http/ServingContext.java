package dev.reprox.server.http;

import dev.reprox.config.ReproxConfig;
import dev.reprox.server.ThreadPools;
import dev.reprox.server.fetch.Fetcher;
import dev.reprox.server.fetch.Fetchers;
import dev.reprox.storage.StorageStats;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What every connection's handler shares: configuration, the fetch chain, the storage executor,
 * metrics, readiness and the in-flight counter. Built once by the server;
 * {@link #newHandler()} makes the per-connection request handler.
 *
 * <p>Over 250 lines only by its {@link Builder}: one field and one setter per shared part, half
 * the file, with nothing to split but the list itself.
 */
public final class ServingContext {
  final ReproxConfig config;
  final Fetcher fetcher;
  final Executor storageExecutor;
  /** Body chunk reads; apart from lookups so that bulk streaming never delays a first byte. */
  final Executor bodyExecutor;
  final PrometheusMeterRegistry registry;
  final RequestMetrics metrics;
  final BooleanSupplier ready;
  final InFlight inFlight;
  final Duration requestHeadTimeout;
  final Duration liveMaxAge;
  final Supplier<StorageStats> storageStats;
  /** A remote part of the store that cannot be reached now ({@code Storage.unavailable}); never blocks. */
  final Supplier<java.util.Optional<String>> storageUnavailable;
  final Fetchers fetchers;
  final Tunnels tunnels;
  final BuildLabels builds;
  /** The persistent build records, or null when the server was built without a store for them. */
  final BuildRecorder records;
  /** The API's tokens: admin actions and, when a read token is set, reads ({@link ApiGuard}). */
  final ApiGuard guard;
  final HotAnswers hotAnswers = new HotAnswers(10_000);
  /** Body chunk buffers shared by this server's responses: 64 idle chunks (16 MiB) cover a busy server's writes. */
  final ChunkBuffers chunks;
  /** {@code log.access}: one line per request on {@code reprox.access}. */
  final boolean accessLog;
  /**
   * {@code log.format: json}: the access line's fields also go on the event as key-values, which
   * only the JSON encoder reads (text prints the message alone).
   */
  final boolean structuredLog;
  final java.time.Clock clock;
  /** {@code /-/api/admin/import} and {@code /-/api/admin/export}. */
  final AdminBundles bundles;
  /** Collections of this server's store ({@code /-/api/admin/gc}); null when there is none (tests). */
  final dev.reprox.server.gc.GcRunner gc;
  private final ForwardRoute forwardRoute;
  private final ResponseHeaders responseHeaders;

  private ServingContext(Builder b) {
    this.config = Objects.requireNonNull(b.config, "config");
    this.fetcher = Objects.requireNonNull(b.fetcher, "fetcher");
    this.storageExecutor = Objects.requireNonNull(b.storageExecutor, "storageExecutor");
    this.bodyExecutor = b.bodyExecutor != null ? b.bodyExecutor : storageExecutor;
    this.registry = Objects.requireNonNull(b.registry, "registry");
    this.metrics = new RequestMetrics(registry);
    this.accessLog = config.log().access();
    this.structuredLog = config.log().format() == dev.reprox.config.ReproxConfig.Log.Format.JSON;
    this.ready = b.ready;
    this.inFlight = b.inFlight;
    this.requestHeadTimeout = b.requestHeadTimeout;
    this.liveMaxAge = b.liveMaxAge;
    this.storageStats = b.storageStats;
    this.storageUnavailable = b.storageUnavailable;
    this.fetchers = b.fetchers;
    this.forwardRoute = new ForwardRoute(config);
    this.tunnels = new Tunnels(registry, b.tunnelIdleTimeout, b.tunnelConnectTimeout,
        b.tunnelResolver != null ? b.tunnelResolver : ThreadPools.tunnelResolver(config.threads().tunnelResolve()));
    this.chunks = new ChunkBuffers(BodyWriter.CHUNK, 64);
    this.builds = new BuildLabels(b.clock, BuildLabels.CAPACITY);
    this.records = b.buildStore == null ? null
        : new BuildRecorder(b.buildStore, config, b.clock, storageExecutor, registry);
    this.guard = new ApiGuard(config.api());
    this.responseHeaders = new ResponseHeaders(b.clock);
    this.clock = b.clock;
    this.bundles = new AdminBundles(this, b.bundleExecutor != null ? b.bundleExecutor : ThreadPools.bundleWorkers());
    this.gc = b.gc;
  }

  /** Deletes build records unused for {@code builds.retention}. Blocks (storage); the server calls it hourly. */
  public void expireBuildRecords() throws java.io.IOException {
    if (records != null) {
      records.expire();
    }
  }

  /** Forward mode's URL table, built once from the repositories. */
  ForwardRoute forwardRoute() {
    return forwardRoute;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A fresh handler for one connection (it keeps per-connection state). */
  public ChannelHandler newHandler() {
    return new RequestHandler(this, false);
  }

  /**
   * A handler for a connection accepted into the reserve above {@code max-connections}: it
   * answers {@code /healthz} and {@code /readyz}, refuses anything else with 503, and closes.
   */
  public ChannelHandler newHealthOnlyHandler() {
    return new RequestHandler(this, true);
  }

  /** Counts a connection refused for {@code max-connections}: {@code closed} at accept, or {@code 503}. */
  public void refusedConnection(String how) {
    metrics.refusedConnection(how);
  }

  /**
   * The outbound handler that adds the headers every response carries (nosniff, Date); shared by
   * all connections, placed between the codec and {@link #newHandler()}.
   */
  public ChannelHandler responseHeaders() {
    return responseHeaders;
  }

  public InFlight inFlight() {
    return inFlight;
  }

  /** Builds a {@link ServingContext}. */
  public static final class Builder {
    private ReproxConfig config;
    private Fetcher fetcher;
    private Executor storageExecutor;
    private Executor bodyExecutor;
    private PrometheusMeterRegistry registry;
    private BooleanSupplier ready = () -> true;
    private InFlight inFlight = new InFlight();
    private Duration requestHeadTimeout = Duration.ofSeconds(30);
    private Duration liveMaxAge = Duration.ofSeconds(60);
    private Supplier<StorageStats> storageStats = () -> new StorageStats(0, 0, 0, 0, 0);
    private Supplier<java.util.Optional<String>> storageUnavailable = java.util.Optional::empty;
    private Fetchers fetchers;
    private Duration tunnelIdleTimeout = Duration.ofMinutes(5);
    private Clock clock = Clock.systemUTC();
    private Duration tunnelConnectTimeout = Duration.ofSeconds(10);
    private dev.reprox.server.gc.GcRunner gc;
    private Executor tunnelResolver;
    private Executor bundleExecutor;

    private dev.reprox.storage.Storage buildStore;

    private Builder() {}

    /** The store build records persist in ({@code /-/api/builds/<label>}, {@code reprox lock --label}). */
    public Builder buildStore(dev.reprox.storage.Storage storage) {
      this.buildStore = storage;
      return this;
    }

    /** Runs {@code reprox gc} for the admin API and the status page. */
    public Builder gc(dev.reprox.server.gc.GcRunner gc) {
      this.gc = gc;
      return this;
    }

    /** The time of build-label records ({@code /-/api/builds}). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** A {@code tunnel-allow} tunnel that carries no bytes either way for this long is closed. */
    public Builder tunnelIdleTimeout(Duration timeout) {
      this.tunnelIdleTimeout = timeout;
      return this;
    }

    /** Where CONNECT targets' names are looked up (the server's {@link ThreadPools#tunnelResolve()}). */
    public Builder tunnelResolver(Executor resolver) {
      this.tunnelResolver = resolver;
      return this;
    }

    /** Where bundle imports and exports run (the server's {@link ThreadPools#bundles()}). */
    public Builder bundleExecutor(Executor executor) {
      this.bundleExecutor = executor;
      return this;
    }

    /** How long connecting to a tunnel's target may take before the client gets 502. */
    public Builder tunnelConnectTimeout(Duration timeout) {
      this.tunnelConnectTimeout = timeout;
      return this;
    }

    /** Store counters for the status page. */
    public Builder storageStats(Supplier<StorageStats> storageStats) {
      this.storageStats = storageStats;
      return this;
    }

    /** What of the store cannot be reached now, for {@code /readyz}; must not block. */
    public Builder storageUnavailable(Supplier<java.util.Optional<String>> unavailable) {
      this.storageUnavailable = Objects.requireNonNull(unavailable, "unavailable");
      return this;
    }

    /** For the read API ({@code /-/api/repos/...}); without it the API answers 404. */
    public Builder fetchers(Fetchers fetchers) {
      this.fetchers = fetchers;
      return this;
    }

    public Builder config(ReproxConfig config) {
      this.config = config;
      return this;
    }

    public Builder fetcher(Fetcher fetcher) {
      this.fetcher = fetcher;
      return this;
    }

    public Builder storageExecutor(Executor storageExecutor) {
      this.storageExecutor = storageExecutor;
      return this;
    }

    /**
     * Where body chunks are read (default: the storage executor). A server gives it threads of
     * its own, so clients streaming big bodies never queue ahead of a new request's lookup.
     */
    public Builder bodyExecutor(Executor bodyExecutor) {
      this.bodyExecutor = bodyExecutor;
      return this;
    }

    public Builder registry(PrometheusMeterRegistry registry) {
      this.registry = registry;
      return this;
    }

    /** Whether /readyz answers 200 (storage open, accepting). */
    public Builder ready(BooleanSupplier ready) {
      this.ready = ready;
      return this;
    }

    public Builder inFlight(InFlight inFlight) {
      this.inFlight = inFlight;
      return this;
    }

    /** How long a connection may take to send a complete request head (slowloris guard). */
    public Builder requestHeadTimeout(Duration timeout) {
      this.requestHeadTimeout = timeout;
      return this;
    }

    /** {@code Cache-Control: max-age} of live pass-through responses. */
    public Builder liveMaxAge(Duration maxAge) {
      this.liveMaxAge = maxAge;
      return this;
    }

    public ServingContext build() {
      return new ServingContext(this);
    }
  }
}
