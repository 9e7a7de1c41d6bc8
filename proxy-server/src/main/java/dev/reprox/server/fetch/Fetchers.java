package dev.reprox.server.fetch;

import dev.reprox.config.RepositoryConfig;
import dev.reprox.config.ReproxConfig;
import dev.reprox.pinning.LiveSource;
import dev.reprox.pinning.PathKind;
import dev.reprox.pinning.Preview;
import dev.reprox.pinning.Resolver;
import dev.reprox.server.ThreadPools;
import dev.reprox.server.trust.ListingIndexer;
import dev.reprox.server.trust.RootFreshness;
import dev.reprox.server.trust.Roots;
import dev.reprox.server.trust.Trust;
import dev.reprox.server.upstream.LazyTls;
import dev.reprox.server.upstream.PoliteUpstream;
import dev.reprox.storage.Generation;
import dev.reprox.storage.Storage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.LoggerFactory;

/**
 * The one place the fetch chains are assembled. A request of a configured repository travels:
 *
 * <ol>
 *   <li>{@link SignedFetcher}: asks {@link Trust#locate} what the bytes must be
 *       ({@code format.classify(path)} decides; root indexes live: {@link Roots}, stored copy for
 *       root-ttl, then one coalesced, buffered and verified GET, recorded; at T: {@link Resolver},
 *       pinned). Root indexes and their detached signatures are answered from the store.
 *       Sub-indexes, listings, by-hash files and packages get the expected sha256 and size from
 *       the generation (live or resolved at T) and are served from the store by that digest when
 *       present; otherwise they go on, carrying the expectation:
 *   <li>{@link OfflineFetcher}: offline server or repository → 503, no upstream contact;
 *   <li>{@link SingleFlightFetcher}: a fill of the same path and expected digest is running → share it;
 *   <li>{@link ClusterFlightFetcher} (shared storage only): another replica holds the fill's lease →
 *       wait for its commit and serve the stored blob;
 *   <li>{@link MissFetcher}: the upstream answered 404 for this URL within negative-ttl → 404 again, not asked;
 *   <li>{@link UpstreamFetcher}: GET the upstream (or the snapshot server at T for a package the
 *       mirror dropped), stream the body into a new blob; {@code commit(expected, size)} — a
 *       mismatch cuts the clients, stores nothing and counts {@code reprox_integrity_failures_total}.
 * </ol>
 * Before all of them, {@link ContentFetcher} answers a URL that is a content address itself (a
 * snapshot server's {@code /file/<sha1>}) from the alias table, else through Offline →
 * SingleFlight → Upstream with the hash checked. Paths outside every trust chain ({@code OTHER})
 * take the pass-through instead: in a repository with a keyring
 * {@link StoredFetcher} (ref, fresh for root-ttl) → Offline → SingleFlight → Miss → Upstream, stored
 * under a ref; in a repository without one (nothing vouches for it, so it keeps only the paths its
 * format classifies) Stored (a ref written by an earlier version) → Offline → Miss →
 * {@link RelayFetcher}: the body streams to the one client with backpressure and is not stored. At T they are served only when a stored ref exists (they
 * cannot be pinned honestly).
 *
 * <p>Over 250 lines because it is the wiring of every chain above plus its builder (a third of the
 * file) and the accessors the server, the watch and tests need; the executors themselves come from
 * {@link ThreadPools}. Splitting the chains apart would scatter the order this comment documents.
 */
public final class Fetchers implements AutoCloseable {
  private final Fetcher fetcher;
  private final UpstreamFetcher upstream;
  private final RelayFetcher relay;
  private final Misses misses;
  /** The pools this chain runs on; closed with it only when it made them itself. */
  private final ThreadPools pools;
  private final boolean ownPools;
  private final ExecutorService work;
  private final SignedFetcher signed;
  private final Trust trust;
  private final Map<String, SignedRepository> repositories;
  private final Executor warmUpExecutor;
  private final StartupWarmUp warmUp;
  private final Storage storage;
  private final Resolver resolver;
  private final PoliteUpstream polite;
  private final Watches watches;

  private Fetchers(Builder b) {
    this.ownPools = b.pools == null;
    this.pools = ownPools
        ? ThreadPools.of(b.config != null ? b.config.threads() : dev.reprox.config.ThreadsConfig.DEFAULT) : b.pools;
    ScheduledExecutorService timer = pools.timer();
    this.work = pools.signed();
    ExecutorService rootFetches = pools.rootFetch();
    this.storage = b.storage;
    HttpClient client = LazyTls.onFirstUse(HttpClient.newBuilder())
        .executor(pools.upstream())
        .version(HttpClient.Version.HTTP_1_1)
        // Redirects are followed (and remembered) by the polite layer, never by the client.
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(b.headerTimeout)
        .build();
    IntegrityListener integrity = (request, kind) -> {
      // Always a WARN: a mirror serving what its signed index does not promise is worth a look.
      LoggerFactory.getLogger(Fetchers.class).warn("integrity: {} from upstream did not match its verified index"
          + " ({}); cut, not stored", request, kind);
      if (b.registry != null) {
        Counter.builder("reprox.integrity.failures")
            .description("bodies that did not match their verified index: cut, not stored")
            .tag("repo", request.repository().name()).tag("kind", kind)
            .register(b.registry).increment();
      }
    };
    PoliteUpstream polite = PoliteUpstreams.build(client, timer, b.clock, b.registry, b.config);
    this.polite = polite;
    this.upstream = new UpstreamFetcher(polite, b.storage, b.storageExecutor, timer, b.clock, b.headerTimeout,
        b.idleTimeout, integrity, request -> {
          if (b.registry != null) {
            Counter.builder("reprox.fill.resumed")
                .description("cut upstream bodies with an expected digest asked for again within the fill")
                .tag("repo", request.repository().name()).register(b.registry).increment();
          }
        });
    Misses misses = new Misses(b.clock);
    this.misses = misses;
    Fetcher upstreamChain = new OfflineFetcher(b.offline, new SingleFlightFetcher(
        ClusterFlightFetcher.wrap(b.storage, b.storageExecutor, timer, new MissFetcher(misses, upstream))));
    Fetcher passThrough = new StoredFetcher(b.storage, b.storageExecutor, b.clock, b.offline, upstreamChain);
    this.relay = new RelayFetcher(polite, timer, b.clock, b.headerTimeout, b.idleTimeout);
    // A ref stored before relaying existed (or by a test) is still served; the relay writes none.
    Fetcher relayChain = new StoredFetcher(b.storage, b.storageExecutor, b.clock, b.offline,
        new OfflineFetcher(b.offline, new MissFetcher(misses, relay)));
    Map<String, SignedRepository> repos = new LinkedHashMap<>();
    {
      for (RepositoryConfig r : b.repositories) {
        try {
          repos.put(r.name(), SignedRepository.of(r, b.clock));
        } catch (RuntimeException e) {
          // One broken keyring must not take the other repositories down: this one answers 500.
          LoggerFactory.getLogger(Fetchers.class).error("repository {} disabled: {}", r.name(), e.getMessage());
        }
      }
    }
    this.repositories = Map.copyOf(repos);
    this.warmUpExecutor = b.warmUpExecutor != null ? b.warmUpExecutor : pools.keyrings();
    this.warmUp = new StartupWarmUp(StartupWarmUp.politeLayer(client, timer, b.clock), repositories.values(), b.clock,
        b.registry);
    Roots watchedRoots = null;
    if (b.signed) {
      PinReporter pinReporter = new PinReporter(b.registry);
      Roots roots = new Roots(b.storage, polite, b.clock, b.headerTimeout, b.offline, rootFetches, misses,
          new RootFreshness(b.registry));
      Resolver resolver = Resolver.builder()
          .observations(b.storage.observations()).pins(b.storage.pins()).clock(b.clock)
          .snapshotSource((repo, root, t) -> {
            // What the snapshot server said goes into the pin WARN's reason; the resolver decides.
            try {
              boolean asked = roots.snapshotBlocking(repositories.get(repo), root, t);
              pinReporter.snapshotAsked(repo, root, t, asked ? "the snapshot server's answer did not prove it"
                  : "no snapshot server configured");
              return asked;
            } catch (IOException | RuntimeException e) {
              pinReporter.snapshotAsked(repo, root, t, "snapshot server failed: " + e.getMessage());
              throw e;
            }
          })
          .liveSource(new LiveSource() {
            @Override
            public void fetchNow(String repo, String root) throws IOException {
              roots.revalidateNowBlocking(repositories.get(repo), root);
            }

            @Override
            public boolean offline(String repo) {
              return roots.offline(repositories.get(repo));
            }
          })
          .build();
      this.resolver = resolver;
      watchedRoots = roots;
      this.trust = new Trust(repositories, b.storage, roots, resolver, pinReporter, work, b.storageExecutor,
          upstreamChain);
      this.signed = new SignedFetcher(b.storage, trust, b.storageExecutor, upstreamChain, passThrough, relayChain);
    } else {
      this.signed = null;
      this.trust = null;
      this.resolver = null;
    }
    // Content-addressed URLs (a snapshot server's /file/<sha1>) skip the repository logic.
    this.fetcher = new ContentFetcher(b.storage, b.storageExecutor, upstreamChain,
        signed != null ? signed : passThrough);
    // A watch's listings take the locate step a package request takes: verified, stored and indexed there.
    this.watches = new Watches(watchedRoots == null ? List.of() : repositories.values(), watchedRoots,
        trust == null ? null : trust.generationListings(),
        b.storage, b.clock, b.registry, new java.util.SplittableRandom());
  }

  /**
   * Starts the warm-up ({@link StartupWarmUp}: a sample verification, one exchange of the upstream
   * client, every repository's keyring) on {@link ThreadPools#keyrings}, or the builder's
   * {@code warmUpExecutor}. The server calls it once it listens, not while it starts: the RSA
   * checks are a quarter of the CPU samples of a start, and on two cores they took CPU from the
   * class loading that {@code /healthz} waits for (issue 14). Nothing waits for it: a request that
   * comes first loads what it needs itself (a keyring is parsed once, by whichever comes first).
   */
  public void warmUp() {
    warmUpExecutor.execute(warmUp);
  }

  /** The plain pass-through only (no trust chain): the chain before signed indexes, for tests. */
  public static Fetchers live(Storage storage, Executor storageExecutor, Clock clock, boolean offline,
      Duration headerTimeout, Duration idleTimeout) {
    return builder().storage(storage).storageExecutor(storageExecutor).clock(clock).offline(offline)
        .headerTimeout(headerTimeout).idleTimeout(idleTimeout).signed(false).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The chain every repository request enters. */
  public Fetcher fetcher() {
    return fetcher;
  }

  /** Every generation of {@code root} reprox has observed in {@code repo}. Blocking (storage). */
  public List<Generation> generationsBlocking(String repo, String root) throws IOException {
    return storage.observations().generations(repo, root);
  }

  /** Every root path of {@code repo} with at least one observed generation. Blocking (storage). */
  public List<String> rootsBlocking(String repo) throws IOException {
    return storage.observations().roots(repo);
  }

  /**
   * What a request at T for {@code root} would be served, from what is stored now: nothing is
   * fetched and no pin is written ({@link Resolver#preview}). Blocking (storage).
   */
  public Preview previewBlocking(String repo, String root, Instant t) throws IOException {
    SignedRepository r = repositories.get(repo);
    if (r == null || resolver == null) {
      throw new FetchException(FetchException.Kind.NOT_FOUND, "resolve " + repo + ": no such repository");
    }
    return resolver.preview(repo, root, t, r.policy());
  }

  /** True when {@code path} is a root index of {@code repo}'s format (InRelease, APKINDEX.tar.gz, repomd.xml...). */
  public boolean isRootIndex(String repo, String path) {
    SignedRepository r = repositories.get(repo);
    return r != null && r.format().classify(path) == PathKind.ROOT_INDEX;
  }

  /** What {@code path} is in {@code repo}'s format; {@link PathKind#OTHER} for a pass-through repository. */
  public PathKind pathKind(String repo, String path) {
    SignedRepository r = repositories.get(repo);
    return r == null ? PathKind.OTHER : r.format().classify(path);
  }

  /** True when {@code path} is a package file of {@code repo}'s format (.deb, .apk, .rpm...). */
  public boolean isPackage(String repo, String path) {
    return pathKind(repo, path) == PathKind.PACKAGE;
  }

  /**
   * Makes one lockfile entry present ({@link Prewarm}): the root at T, listings, the package,
   * checked against the signed listing and the lockfile's hashes. Never blocks.
   */
  public java.util.concurrent.CompletableFuture<Prewarm.Result> prewarm(String repo, String root, Instant at,
      String path, dev.reprox.storage.Digest generation, dev.reprox.storage.Digest sha256, String q1, long size) {
    if (signed == null) {
      return java.util.concurrent.CompletableFuture.completedFuture(new Prewarm.Result(Prewarm.Outcome.NOT_FOUND,
          "no signed repositories in this chain", null));
    }
    return new Prewarm(repositories, trust, fetcher, storage, work).run(repo, root, at, path, generation, sha256, q1,
        size);
  }

  /**
   * Makes one {@code .buildinfo} entry present: {@code name (= version)} of {@code arch} resolved in
   * the Packages of the apt generation at T ({@link Prewarm#runNamed}), then as {@link #prewarm}.
   */
  public java.util.concurrent.CompletableFuture<Prewarm.Result> prewarmNamed(String repo, String root, Instant at,
      String name, String version, String arch) {
    if (signed == null) {
      return java.util.concurrent.CompletableFuture.completedFuture(new Prewarm.Result(Prewarm.Outcome.NOT_FOUND,
          "no signed repositories in this chain", null));
    }
    return new Prewarm(repositories, trust, fetcher, storage, work).runNamed(repo, root, at, name, version, arch);
  }

  /** The upstream 404s remembered for negative-ttl (tests: a remembered miss is the event a clock move waits for). */
  Misses misses() {
    return misses;
  }

  /** The signed path's listing indexer, or null for a pass-through chain (tests). */
  ListingIndexer listings() {
    return trust == null ? null : trust.listings();
  }

  /** What the bytes of a signed path must be ({@link Trust#locate}); null for a pass-through chain. */
  public Trust trust() {
    return trust;
  }

  /** The repositories' {@code watch:}es; {@link Watches#any()} false when none is configured. */
  public Watches watches() {
    return watches;
  }

  /** Every pin of {@code repo} (ranges of T), root by root. Blocking (storage). */
  public List<dev.reprox.storage.Pin> pinsBlocking(String repo) throws IOException {
    return storage.pins().list(repo);
  }

  /** Every upstream host asked so far: breaker, in-flight, last success and last error. */
  public List<dev.reprox.server.upstream.HostStatus> upstreamHosts() {
    return polite.hosts();
  }

  /** Every configured repository's format bound to its keyring (export and import verify with these). */
  public Map<String, dev.reprox.pinning.Format> formats() {
    Map<String, dev.reprox.pinning.Format> out = new LinkedHashMap<>();
    repositories.forEach((name, r) -> out.put(name, r.format()));
    return out;
  }

  /** The store this chain serves from. */
  public Storage storage() {
    return storage;
  }

  /** The executor the blocking API calls may run on. */
  public Executor workExecutor() {
    return work;
  }

  /**
   * Abandons running fills (nothing half-written is stored; the abandon runs on the storage
   * executor, so close that after this), cuts running relays, and stops the pools when this chain
   * made them (else their owner, the server, does).
   */
  @Override
  public void close() {
    upstream.close();
    relay.close();
    if (ownPools) {
      pools.close();
    }
  }

  /** Builds {@link Fetchers}. */
  public static final class Builder {
    private ReproxConfig config;
    private Storage storage;
    private Executor storageExecutor;
    private Clock clock;
    private boolean offline;
    private Duration headerTimeout = Duration.ofSeconds(30);
    private Duration idleTimeout = Duration.ofSeconds(60);
    private MeterRegistry registry;
    private boolean signed = true;
    private List<RepositoryConfig> repositories = List.of();
    private ThreadPools pools;
    private Executor warmUpExecutor;

    private Builder() {}

    /** Where {@link #warmUp} runs; default the pools' {@code reprox-keyrings} thread (tests hold it). */
    public Builder warmUpExecutor(Executor value) {
      this.warmUpExecutor = value;
      return this;
    }

    /**
     * The server's pools (upstream callbacks, signed work, root GETs, the timer); without them the
     * chain makes its own from the config's {@code threads:} (or the defaults) and closes them.
     */
    public Builder pools(ThreadPools value) {
      this.pools = value;
      return this;
    }

    /** The repositories; each gets its format and keyring once, here. */
    public Builder config(ReproxConfig value) {
      this.config = value;
      this.offline = value.offline();
      this.repositories = List.copyOf(value.repositories().values());
      return this;
    }

    /** The repositories without a whole configuration (tests). */
    public Builder repositories(List<RepositoryConfig> value) {
      this.repositories = List.copyOf(value);
      return this;
    }

    public Builder storage(Storage value) {
      this.storage = value;
      return this;
    }

    /** The bounded executor every storage call runs on. */
    public Builder storageExecutor(Executor value) {
      this.storageExecutor = value;
      return this;
    }

    public Builder clock(Clock value) {
      this.clock = value;
      return this;
    }

    /** The server-wide offline flag (also taken from the config). */
    public Builder offline(boolean value) {
      this.offline = value;
      return this;
    }

    public Builder headerTimeout(Duration value) {
      this.headerTimeout = value;
      return this;
    }

    public Builder idleTimeout(Duration value) {
      this.idleTimeout = value;
      return this;
    }

    /** Where {@code reprox_integrity_failures_total} is counted. */
    public Builder registry(MeterRegistry value) {
      this.registry = value;
      return this;
    }

    /** False: pass-through only. */
    public Builder signed(boolean value) {
      this.signed = value;
      return this;
    }

    public Fetchers build() {
      Objects.requireNonNull(storage, "storage");
      Objects.requireNonNull(storageExecutor, "storageExecutor");
      Objects.requireNonNull(clock, "clock");
      return new Fetchers(this);
    }
  }
}
