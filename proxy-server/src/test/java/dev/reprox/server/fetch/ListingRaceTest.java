package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: a pool file requested right after its Packages file was answered 404 ("no listing
 * ... names it") once, and 200 a moment later, because the listing's path index was written after
 * its response completed. Since issue 14 the response does not wait for the index; the package
 * request joins the indexing instead (and streams meanwhile: {@link DeferredPackageTest}). The store's commit and indexing are held at gates the test opens, so each
 * race is replayed in one fixed order.
 */
class ListingRaceTest extends HeldRepositoryFixture {

  ListingRaceTest() {
    super(b -> b.add("foo", "1.0"));
  }

  @BeforeEach
  void start() throws Exception {
    fetch("dists/stable/InRelease").get(10, TimeUnit.SECONDS);
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
