package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.reprox.server.trust.Located;
import dev.reprox.storage.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a package asked for while its generation's listing is being indexed streams from the
 * upstream at once, its expectation deferred to that listing ({@code server.trust.DeferredPackages}); its last
 * byte is held until the listing names it and the bytes match. The store's indexing is held at
 * gates the test opens, so every order is fixed, without sleeps.
 */
class DeferredPackageTest extends HeldRepositoryFixture {

  DeferredPackageTest() {
    super(b -> b.add("foo", "1.0").add("bar", "2.0"));
  }

  @BeforeEach
  void start() throws Exception {
    fetch("dists/stable/InRelease").get(10, TimeUnit.SECONDS);
  }

  @Test
  void package_whileItsListingIsIndexing_streamsBeforeTheIndexCommit_lastByteHeldUntilVerified() throws Exception {
    HoldingStorage.Gate indexing = storage.holdIndexing(listingDigest());
    try {
      fetch(PACKAGES).get(10, TimeUnit.SECONDS);
      assertThat(indexing.awaitEntered()).as("indexing started, nothing parsed yet").isTrue();

      Fetched pkg = fetch(fooPath()).get(10, TimeUnit.SECONDS);
      long last = g1.deb("foo").size() - 1;
      try (Content content = pkg.open()) {
        ByteBuffer body = ByteBuffer.allocate((int) last + 1);
        readUntil(content, body, last);
        assertThat(content.read(last, ByteBuffer.allocate(1))).as("last byte before the listing names it").isZero();
        CompletableFuture<?> end = content.whenReadable(last);
        assertThat(end).isNotDone();
        assertThat(pkg.digest()).as("nothing committed").isEmpty();
        assertThat(storage.blobs().stat(fooDigest())).isEmpty();

        indexing.open();
        end.get(10, TimeUnit.SECONDS);
        readUntil(content, body, last + 1);
        assertThat(body.array()).isEqualTo(Files.readAllBytes(g1.resolve(fooPath())));
      }
      pkg.settled().get(10, TimeUnit.SECONDS);
      assertThat(pkg.digest()).hasValue(fooDigest());
      assertThat(storage.blobs().stat(fooDigest())).as("stored once verified").isPresent();
      assertThat(upstream.requestsFor(fooPath())).hasSize(1);
    } finally {
      indexing.open();
    }
  }

  @Test
  void package_expectationFromTheParsedStanza_completesBeforeTheIndexCommit() throws Exception {
    HoldingStorage.Gate beforeParse = storage.holdIndexing(listingDigest());
    HoldingStorage.Gate beforeCommit = storage.holdIndexCommit(listingDigest());
    try {
      fetch(PACKAGES).get(10, TimeUnit.SECONDS);
      assertThat(beforeParse.awaitEntered()).isTrue();
      Fetched pkg = fetch(fooPath()).get(10, TimeUnit.SECONDS); // its waiter is registered by now

      beforeParse.open();
      assertThat(beforeCommit.awaitEntered()).as("listing parsed, index commit held").isTrue();
      pkg.settled().get(10, TimeUnit.SECONDS);

      assertThat(pkg.digest()).as("verified against the parsed stanza").hasValue(fooDigest());
      assertThat(storage.paths().lookup("fix", fooPath())).as("the index is not committed yet").isEmpty();
      assertThat(readAll(pkg)).isEqualTo(Files.readAllBytes(g1.resolve(fooPath())));
    } finally {
      beforeParse.open();
      beforeCommit.open();
    }
  }

  @Test
  void package_whoseListingNamesAnotherDigest_cutAndNotStored() throws Exception {
    builder.tamperDeb("foo");
    Digest tampered = Digest.compute(Files.readAllBytes(g1.resolve(fooPath())));
    HoldingStorage.Gate indexing = storage.holdIndexing(listingDigest());
    try {
      fetch(PACKAGES).get(10, TimeUnit.SECONDS);
      assertThat(indexing.awaitEntered()).isTrue();
      Fetched pkg = fetch(fooPath()).get(10, TimeUnit.SECONDS);

      indexing.open();
      pkg.settled().get(10, TimeUnit.SECONDS);

      assertCut(pkg);
      assertThat(storage.blobs().stat(tampered)).as("wrong bytes not stored").isEmpty();
      assertThat(storage.blobs().stat(fooDigest())).isEmpty();
    } finally {
      indexing.open();
    }
  }

  @Test
  void path_thatNoListingNames_cutAndNotStored() throws Exception {
    String extra = "pool/main/x/xtra/xtra_1.0_all.deb";
    byte[] bytes = "not named by any listing".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Files.createDirectories(builder.root().resolve(extra).getParent());
    Files.write(builder.root().resolve(extra), bytes);
    HoldingStorage.Gate indexing = storage.holdIndexing(listingDigest());
    try {
      fetch(PACKAGES).get(10, TimeUnit.SECONDS);
      assertThat(indexing.awaitEntered()).isTrue();
      Fetched pkg = fetch(extra).get(10, TimeUnit.SECONDS);

      indexing.open();
      pkg.settled().get(10, TimeUnit.SECONDS);

      assertCut(pkg);
      assertThat(storage.blobs().stat(Digest.compute(bytes))).isEmpty();
    } finally {
      indexing.open();
    }
  }

  @Test
  void locate_packageWhileItsListingIsIndexing_deferredAtOnce_expectationFromThatListing() throws Exception {
    HoldingStorage.Gate indexing = storage.holdIndexing(listingDigest());
    try {
      fetch(PACKAGES).get(10, TimeUnit.SECONDS);
      assertThat(indexing.awaitEntered()).isTrue();

      Located located = fetchers.trust().locate(new FetchRequest(repo, fooPath())).get(10, TimeUnit.SECONDS);

      assertThat(located.basis()).as("answered before the index commit").isEqualTo(Located.Basis.DEFERRED);
      assertThat(located.sha256()).as("not known yet").isNull();
      CompletableFuture<FetchRequest.Expected> later = located.expected().later().expected();
      assertThat(later).isNotDone();
      indexing.open();
      FetchRequest.Expected expected = later.get(10, TimeUnit.SECONDS);
      assertThat(expected.sha256()).isEqualTo(fooDigest());
      assertThat(expected.size()).isEqualTo(g1.deb("foo").size());
    } finally {
      indexing.open();
    }
  }

  @Test
  void package_whileIndexing_upstreamRefusesTheDeferredFill_locatedAgainOnceIndexed() throws Exception {
    Path deb = builder.root().resolve(fooPath());
    Path aside = tmp.resolve("foo.deb");
    Files.move(deb, aside);
    HoldingStorage.Gate indexing = storage.holdIndexing(listingDigest());
    try {
      fetch(PACKAGES).get(10, TimeUnit.SECONDS);
      assertThat(indexing.awaitEntered()).isTrue();
      CompletableFuture<Fetched> pkg = fetch(fooPath());
      // The clock may move only once reprox has remembered the upstream's 404: moved before
      // MissFetcher remembers it, the miss counts its negative-ttl from the moved clock and meets
      // the lookup made once indexed. Neither the upstream's journal (it logs the 404 before reprox
      // has read it) nor ListingIndexer.nextWait (the deferred locate's own settle completes it,
      // before the fill even starts) tells that; the remembered miss itself does.
      URI upstreamUri = UpstreamFetcher.upstreamUri(new FetchRequest(repo, fooPath()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (fetchers.misses().remembered(repo, upstreamUri).isEmpty()) {
        assertThat(System.nanoTime()).as("the deferred fill's 404 remembered").isLessThan(deadline);
        Thread.sleep(10); // a poll on the condition, bounded by the deadline
      }
      assertThat(pkg).as("waits for the listing instead of answering 404").isNotDone();

      Files.move(aside, deb);
      clock.advance(Duration.ofSeconds(31)); // past negative-ttl (30 s: the 404 is remembered), within root-ttl
      indexing.open();

      Fetched fetched = pkg.get(10, TimeUnit.SECONDS);
      assertThat(readAll(fetched)).isEqualTo(Files.readAllBytes(deb));
      fetched.settled().get(10, TimeUnit.SECONDS);
      assertThat(storage.blobs().stat(fooDigest())).isPresent();
    } finally {
      indexing.open();
    }
  }

  private void assertCut(Fetched pkg) {
    assertThat(pkg.digest()).as("nothing committed").isEmpty();
    Throwable read = catchThrowable(() -> readAll(pkg));
    assertThat(read).as("the client's body fails one byte short").isNotNull();
  }

  private String fooPath() {
    return g1.deb("foo").poolPath();
  }

  private Digest fooDigest() {
    return Digest.sha256(g1.deb("foo").sha256());
  }

  /** Reads into {@code body} up to position {@code end}, waiting (10 s at most each) where the fill is behind. */
  private static void readUntil(Content content, ByteBuffer body, long end) throws Exception {
    while (body.position() < end) {
      ByteBuffer view = body.duplicate();
      view.limit((int) end);
      int n = content.read(body.position(), view);
      if (n < 0) {
        throw new IOException("ended at " + body.position());
      }
      if (n == 0) {
        content.whenReadable(body.position()).get(10, TimeUnit.SECONDS);
      }
      body.position(view.position());
    }
  }

  private static byte[] readAll(Fetched f) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Content content = f.open()) {
      ByteBuffer buf = ByteBuffer.allocate(8192);
      long pos = 0;
      while (true) {
        buf.clear();
        int n = content.read(pos, buf);
        if (n < 0) {
          return out.toByteArray();
        }
        if (n == 0) {
          content.whenReadable(pos).get(10, TimeUnit.SECONDS);
          continue;
        }
        out.write(buf.array(), 0, n);
        pos += n;
      }
    }
  }
}
