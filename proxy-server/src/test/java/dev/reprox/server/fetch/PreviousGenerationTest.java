package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.reprox.storage.Digest;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.DebPackage;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression (soak test): after the live InRelease was revalidated to a generation whose Packages
 * nobody had fetched through reprox yet, live pool requests were 404 "no listing ... names it",
 * even for packages the client's own (older) Packages named and reprox had stored. Live requests
 * now fall back to the newest earlier generation whose indexed listing names the path; pinned
 * requests keep the strict rule.
 */
class PreviousGenerationTest extends HeldRepositoryFixture {
  private static final String IN_RELEASE = "dists/stable/InRelease";
  private static final Instant G2_DATE = Instant.parse("2024-03-02T00:00:00Z");

  PreviousGenerationTest() {
    super(b -> b.add("foo", "1.0").add("bar", "1.0"));
  }

  @BeforeEach
  void start() throws Exception {
    // apt-get update at G1: InRelease, then its Packages (indexed behind its response)
    assertThat(generationOf(get(IN_RELEASE))).isEqualTo(g1.inReleaseSha256());
    get(PACKAGES);
    fetchers.listings().whenSettled("fix", Digest.sha256(g1.file(PACKAGES).sha256())).get(10, TimeUnit.SECONDS);
  }

  @Test
  void live_storedPackageListedOnlyByThePreviousGeneration_servedFromStoreAsThatGeneration() throws Exception {
    Fetched first = get(g1.deb("foo").poolPath());
    assertThat(first.digest()).hasValueSatisfying(d -> assertThat(d.hex()).isEqualTo(g1.deb("foo").sha256()));
    // G2 drops foo (its pool file is gone upstream) and nobody fetches G2's Packages
    AptGeneration g2 = builder.date(G2_DATE).remove("foo").publish();
    revalidateTo(g2);
    upstream.clearRequests();

    Fetched again = get(g1.deb("foo").poolPath());

    assertThat(again.digest()).hasValueSatisfying(d -> assertThat(d.hex()).isEqualTo(g1.deb("foo").sha256()));
    assertThat(generationOf(again)).as("the generation that listed it").isEqualTo(g1.inReleaseSha256());
    assertThat(again.provenance().publishedAt()).hasValue(G1_DATE);
    assertThat(again.provenance().pin()).hasValue("live");
    assertThat(upstream.requests()).as("served from the store").isEmpty();
  }

  @Test
  void live_unstoredPackageListedByThePreviousGeneration_filledAndCheckedAgainstItsListing() throws Exception {
    AptGeneration g2 = builder.date(G2_DATE).add("baz", "1.0").publish();
    assertThat(g2.deb("bar").sha256()).as("bar unchanged upstream").isEqualTo(g1.deb("bar").sha256());
    revalidateTo(g2);

    Fetched bar = get(g1.deb("bar").poolPath());

    assertThat(bar.digest()).hasValueSatisfying(d -> assertThat(d.hex()).isEqualTo(g1.deb("bar").sha256()));
    assertThat(bar.length()).isEqualTo(g1.deb("bar").size());
    assertThat(generationOf(bar)).isEqualTo(g1.inReleaseSha256());
    assertThat(upstream.requestsFor(g1.deb("bar").poolPath())).hasSize(1);
    assertThat(storage.blobs().stat(bar.digest().orElseThrow())).as("stored after the check").isPresent();
  }

  @Test
  void live_previousGenerationsListing_wrongBytesUpstream_notServedNotStored() throws Exception {
    AptGeneration g2 = builder.date(G2_DATE).add("baz", "1.0").publish();
    builder.tamperDeb("bar");
    revalidateTo(g2);

    Fetched bar = get(g1.deb("bar").poolPath());

    assertThat(bar.digest()).as("the fill failed its check against G1's listing: nothing committed").isEmpty();
    Throwable read = catchThrowable(() -> {
      try (Content content = bar.open()) {
        content.read(0, java.nio.ByteBuffer.allocate((int) bar.length()));
      }
    });
    assertThat(read).as("the client's body fails").isNotNull();
    assertThat(storage.paths().lookup("fix", g1.deb("bar").poolPath())).hasSize(1);
    assertThat(storage.blobs().stat(dev.reprox.storage.Digest.sha256(g1.deb("bar").sha256()))).isEmpty();
  }

  /**
   * The gap of the first attempt at issue 14: the client has G2's Packages (its response does not
   * wait for the index) and asks for a path G2 re-uploaded; while G2's Packages is indexing, G1's
   * stored bytes for that path must not be the answer.
   */
  @Test
  void live_newGenerationsListingStillIndexing_noEarlierGenerationAnswers() throws Exception {
    get(g1.deb("foo").poolPath());
    AptGeneration g2 = builder.date(G2_DATE).add(DebPackage.of("foo", "1.0").withPayload(new byte[] {2, 0, 2}))
        .publish();
    assertThat(g2.deb("foo").poolPath()).isEqualTo(g1.deb("foo").poolPath());
    assertThat(g2.deb("foo").sha256()).as("re-uploaded under the same path").isNotEqualTo(g1.deb("foo").sha256());
    revalidateTo(g2);
    HoldingStorage.Gate indexing = storage.holdIndexing(Digest.sha256(g2.file(PACKAGES).sha256()));
    try {
      get(PACKAGES);
      assertThat(indexing.awaitEntered()).as("G2's Packages is being indexed").isTrue();

      CompletableFuture<Void> waiting = fetchers.listings().nextWait();
      CompletableFuture<Fetched> foo = fetchers.fetcher().fetch(new FetchRequest(repo, g1.deb("foo").poolPath()));
      waiting.get(10, TimeUnit.SECONDS);
      CompletableFuture<?> answered = foo.isDone() ? foo.join().settled() : foo;
      assertThat(answered).as("no earlier generation answers while G2's listing is indexing").isNotDone();

      indexing.open();
      Fetched got = foo.get(10, TimeUnit.SECONDS);
      got.settled().get(10, TimeUnit.SECONDS);
      assertThat(generationOf(got)).isEqualTo(g2.inReleaseSha256());
      assertThat(got.digest()).hasValue(Digest.sha256(g2.deb("foo").sha256()));
    } finally {
      indexing.open();
    }
  }

  @Test
  void pinned_atTheNewGeneration_staysStrict_itsOwnListingFetchedNotAnEarlierOne() throws Exception {
    get(g1.deb("foo").poolPath());
    AptGeneration g2 = builder.date(G2_DATE).add("baz", "1.0").publish();
    revalidateTo(g2);
    upstream.clearRequests();

    // At G2 only G2 decides: not G1's indexed listing, but G2's own, fetched now (issue 10).
    Fetched atG2 = fetchers.fetcher().fetch(new FetchRequest(repo, g1.deb("foo").poolPath(), Optional.of(G2_DATE),
        null, null)).get(10, TimeUnit.SECONDS);
    assertThat(generationOf(atG2)).isEqualTo(g2.inReleaseSha256());
    assertThat(upstream.requestsEndingWith(g2.file(PACKAGES).sha256())).as("G2's Packages").hasSize(1);
    upstream.clearRequests();

    Fetched atG1 = fetchers.fetcher().fetch(new FetchRequest(repo, g1.deb("foo").poolPath(), Optional.of(G1_DATE),
        null, null)).get(10, TimeUnit.SECONDS);
    assertThat(generationOf(atG1)).isEqualTo(g1.inReleaseSha256());
    assertThat(upstream.requests()).isEmpty();
  }

  @Test
  void live_pathNoGenerationNames_404() throws Exception {
    AptGeneration g2 = builder.date(G2_DATE).add("baz", "1.0").publish();
    revalidateTo(g2);

    FetchException f = failure(new FetchRequest(repo, "pool/main/n/nope/nope_1.0_all.deb"));

    assertThat(f.kind().status()).as(f.getMessage()).isEqualTo(404);
    assertThat(f.getMessage()).contains("no listing of the repository's generation for this time names it");
  }

  /** Moves the clock past root-ttl and fetches the live InRelease: someone else's apt-get update. */
  private void revalidateTo(AptGeneration g) throws Exception {
    clock.advance(Duration.ofSeconds(61));
    assertThat(generationOf(get(IN_RELEASE))).as("live root moved").isEqualTo(g.inReleaseSha256());
  }

  private Fetched get(String path) throws Exception {
    Fetched f = fetchers.fetcher().fetch(new FetchRequest(repo, path)).get(10, TimeUnit.SECONDS);
    f.settled().get(10, TimeUnit.SECONDS);
    return f;
  }

  private FetchException failure(FetchRequest request) {
    CompletableFuture<Fetched> f = fetchers.fetcher().fetch(request);
    Throwable e = catchThrowable(() -> f.get(10, TimeUnit.SECONDS));
    assertThat(e).as("fails").isNotNull();
    return FetchException.of(e, request);
  }

  private static String generationOf(Fetched f) {
    return f.provenance().generation().orElseThrow().hex();
  }
}
