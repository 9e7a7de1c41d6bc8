package dev.reprox.server.fetch;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.memory.MemoryStorage;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture of the tests on listings and their races, made anew for each test: the signed apt
 * repository {@code fix} (suite stable, dated {@link #G1_DATE}, the packages the subclass names)
 * on a {@link StaticServer}, and {@link Fetchers} over a {@link HoldingStorage} whose commits and
 * indexing the test holds at gates (without a gate it is the memory store), on a clock the test
 * moves. Nothing is fetched yet.
 */
abstract class HeldRepositoryFixture {
  static final String PACKAGES = "dists/stable/main/binary-amd64/Packages.gz";
  static final Instant G1_DATE = Instant.parse("2024-03-01T00:00:00Z");

  @TempDir
  Path tmp;

  final MutableClock clock;
  final HoldingStorage storage;
  AptRepoBuilder builder;
  /** The first generation, published before each test. */
  AptGeneration g1;
  StaticServer upstream;
  RepositoryConfig repo;
  Fetchers fetchers;
  private final ExecutorService storageThreads = Executors.newCachedThreadPool();
  private final UnaryOperator<AptRepoBuilder> packages;

  /** {@code packages} adds the first generation's packages to the builder. */
  HeldRepositoryFixture(UnaryOperator<AptRepoBuilder> packages) {
    this(Instant.parse("2025-01-01T00:00:00Z"), packages);
  }

  /** With the clock at {@code now}. */
  HeldRepositoryFixture(Instant now, UnaryOperator<AptRepoBuilder> packages) {
    this.clock = new MutableClock(now);
    this.storage = new HoldingStorage(MemoryStorage.builder().clock(clock).build());
    this.packages = packages;
  }

  @BeforeEach
  final void startRepository() throws Exception {
    builder = packages.apply(AptRepoBuilder.in(tmp.resolve("repo")).date(G1_DATE));
    g1 = builder.publish();
    Path keyring = builder.writeKeyring(tmp.resolve("fix.gpg"));
    upstream = StaticServer.serve(builder.root());
    repo = new RepositoryConfig("fix", RepositoryConfig.Format.APT,
        URI.create(upstream.baseUri().toString().replaceAll("/$", "")), Optional.empty(), new Keyring.File(keyring),
        RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false);
    fetchers = Fetchers.builder().storage(storage).storageExecutor(storageThreads).clock(clock)
        .headerTimeout(Duration.ofSeconds(5)).repositories(List.of(repo)).build();
  }

  @AfterEach
  final void stopRepository() {
    if (fetchers != null) {
      fetchers.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    storageThreads.shutdownNow();
  }

  CompletableFuture<Fetched> fetch(String path) {
    return fetchers.fetcher().fetch(new FetchRequest(repo, path));
  }

  /** The digest of the first generation's {@link #PACKAGES}, for the storage's gates. */
  Digest listingDigest() throws IOException {
    return Digest.compute(Files.readAllBytes(g1.resolve(PACKAGES)));
  }
}
