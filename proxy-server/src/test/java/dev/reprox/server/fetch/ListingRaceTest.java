package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.memory.MemoryStorage;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a pool file requested right after its Packages file was answered 404 ("no listing
 * ... names it") once, and 200 a moment later, because the listing's path index was written after
 * its response completed. Since issue 14 the response does not wait for the index; the package
 * request joins the indexing instead (and streams meanwhile: {@link DeferredPackageTest}). The store's commit and indexing are held at gates the test opens, so each
 * race is replayed in one fixed order.
 */
class ListingRaceTest {
  private static final String PACKAGES = "dists/stable/main/binary-amd64/Packages.gz";

  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final HoldingStorage storage = new HoldingStorage(MemoryStorage.builder().clock(clock).build());
  private final ExecutorService storageThreads = Executors.newCachedThreadPool();
  private AptGeneration g1;
  private StaticServer upstream;
  private RepositoryConfig repo;
  private Fetchers fetchers;

  @BeforeEach
  void start() throws Exception {
    AptRepoBuilder builder = AptRepoBuilder.in(tmp.resolve("repo")).date(Instant.parse("2024-03-01T00:00:00Z"))
        .add("foo", "1.0");
    g1 = builder.publish();
    Path keyring = builder.writeKeyring(tmp.resolve("fix.gpg"));
    upstream = StaticServer.serve(builder.root());
    repo = new RepositoryConfig("fix", RepositoryConfig.Format.APT,
        URI.create(upstream.baseUri().toString().replaceAll("/$", "")), Optional.empty(), new Keyring.File(keyring),
        RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false);
    fetchers = Fetchers.builder().storage(storage).storageExecutor(storageThreads).clock(clock)
        .headerTimeout(Duration.ofSeconds(5)).repositories(List.of(repo)).build();
    fetch("dists/stable/InRelease").get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    fetchers.close();
    upstream.close();
    storageThreads.shutdownNow();
  }

  private CompletableFuture<Fetched> fetch(String path) {
    return fetchers.fetcher().fetch(new FetchRequest(repo, path));
  }

  private Digest listingDigest() throws Exception {
    return Digest.compute(Files.readAllBytes(g1.resolve(PACKAGES)));
  }

  /**
   * Issue 14: the listing's response is not held for its indexing (16-18 s for bookworm main under
   * load): the client gets every byte once the fill verified them, while indexing is still blocked.
   */
  @Test
  void listing_completesWhileItsIndexingIsBlocked() throws Exception {
    HoldingStorage.Gate indexing = storage.holdIndexing(listingDigest());
    try {
      Fetched listing = fetch(PACKAGES).get(10, TimeUnit.SECONDS);
      assertThat(indexing.awaitEntered()).as("indexing started").isTrue();
      listing.settled().get(10, TimeUnit.SECONDS);

      try (Content content = listing.open()) {
        ByteBuffer body = ByteBuffer.allocate((int) listing.length());
        while (body.hasRemaining()) {
          int n = content.read(body.position(), body);
          assertThat(n).as("no end before the last byte").isNotNegative();
          if (n == 0) {
            content.whenReadable(body.position()).get(10, TimeUnit.SECONDS);
          }
        }
        assertThat(body.array()).isEqualTo(Files.readAllBytes(g1.resolve(PACKAGES)));
      }
      assertThat(storage.paths().lookup("fix", g1.deb("foo").poolPath())).as("still not indexed").isEmpty();
    } finally {
      indexing.open();
    }
  }

  @Test
  void package_whileItsListingIsStillFilling_waitsForTheIndexInsteadOf404() throws Exception {
    HoldingStorage.Gate commit = storage.holdCommit(listingDigest());
    CompletableFuture<Fetched> listing = fetch(PACKAGES);
    assertThat(commit.awaitEntered()).as("listing body written, commit held").isTrue();

    CompletableFuture<Void> waiting = fetchers.listings().nextWait();
    CompletableFuture<Fetched> pkg = fetch(g1.deb("foo").poolPath());
    waiting.get(10, TimeUnit.SECONDS);
    // The package may stream already (issue 14: DeferredPackageTest), but nothing settles before
    // the listing is stored and names it.
    CompletableFuture<?> settled = pkg.isDone() ? pkg.join().settled() : pkg;
    assertThat(settled).as("nothing can be known before the listing is stored").isNotDone();

    commit.open();
    assertFoo(pkg.get(10, TimeUnit.SECONDS));
    listing.get(10, TimeUnit.SECONDS).settled().get(10, TimeUnit.SECONDS);
  }

  @Test
  void package_whileItsListingIsBeingIndexed_waitsForTheIndexInsteadOf404() throws Exception {
    HoldingStorage.Gate indexing = storage.holdIndexing(listingDigest());
    fetch(PACKAGES).get(10, TimeUnit.SECONDS);
    assertThat(indexing.awaitEntered()).as("indexing started").isTrue();

    CompletableFuture<Void> waiting = fetchers.listings().nextWait();
    CompletableFuture<Fetched> pkg = fetch(g1.deb("foo").poolPath());
    waiting.get(10, TimeUnit.SECONDS);
    CompletableFuture<?> settled = pkg.isDone() ? pkg.join().settled() : pkg;
    assertThat(settled).as("the listing is known and not indexed yet").isNotDone();

    indexing.open();
    assertFoo(pkg.get(10, TimeUnit.SECONDS));
  }

  private void assertFoo(Fetched pkg) throws Exception {
    pkg.settled().get(10, TimeUnit.SECONDS);
    assertThat(pkg.length()).isEqualTo(g1.deb("foo").size());
    assertThat(pkg.digest()).hasValueSatisfying(d -> assertThat(d.hex()).isEqualTo(g1.deb("foo").sha256()));
  }
}
