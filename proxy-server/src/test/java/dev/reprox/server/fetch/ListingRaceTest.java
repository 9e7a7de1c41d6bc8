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
 * its response completed. The store's commit and indexing are held at gates the test opens, so each
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

  @Test
  void listing_lastByteHeldUntilItsPathIndexIsCommitted() throws Exception {
    HoldingStorage.Gate indexing = storage.holdIndexing(listingDigest());
    Fetched listing = fetch(PACKAGES).get(10, TimeUnit.SECONDS);
    // Indexing starts once the blob is committed; the listing itself settles only with its index.
    assertThat(indexing.awaitEntered()).as("indexing started").isTrue();
    assertThat(listing.settled()).as("a held listing settles with its index").isNotDone();
    long last = listing.length() - 1;

    try (Content content = listing.open()) {
      ByteBuffer body = ByteBuffer.allocate((int) listing.length());
      while (body.position() < last) {
        assertThat(content.read(body.position(), body)).isPositive();
      }
      assertThat(content.read(last, ByteBuffer.allocate(1))).as("last byte before the index").isZero();
      CompletableFuture<?> rest = content.whenReadable(last);
      assertThat(rest).isNotDone();
      assertThat(storage.paths().lookup("fix", g1.deb("foo").poolPath())).isEmpty();

      indexing.open();
      rest.get(10, TimeUnit.SECONDS);
      assertThat(storage.paths().lookup("fix", g1.deb("foo").poolPath())).as("indexed before the end").hasSize(1);
      assertThat(content.read(last, body)).isEqualTo(1);
      assertThat(body.array()).isEqualTo(Files.readAllBytes(g1.resolve(PACKAGES)));
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
    assertThat(pkg).as("nothing can be known before the listing is stored").isNotDone();

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
    assertThat(pkg).as("the listing is known and not indexed yet").isNotDone();

    indexing.open();
    assertFoo(pkg.get(10, TimeUnit.SECONDS));
  }

  private void assertFoo(Fetched pkg) throws Exception {
    pkg.settled().get(10, TimeUnit.SECONDS);
    assertThat(pkg.length()).isEqualTo(g1.deb("foo").size());
    assertThat(pkg.digest()).hasValueSatisfying(d -> assertThat(d.hex()).isEqualTo(g1.deb("foo").sha256()));
  }
}
