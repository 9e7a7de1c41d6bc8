package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.reprox.storage.Digest;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, the gap: a package at T whose generation has no indexed listing naming it (the client
 * fetched only the InRelease, as {@code curl} or a lockfile pre-warm would) fetches the listing the
 * signed root says could name it (by-hash, the gzip variant), verifies and indexes it, then serves
 * the package verified against it; once per listing however many ask, never storing bad bytes.
 */
class LocateListingsTest extends HeldRepositoryFixture {
  private static final String IN_RELEASE = "dists/stable/InRelease";
  private static final String PACKAGES_GZ = "dists/stable/main/binary-amd64/Packages.gz";
  private static final Instant T = G1_DATE.plusSeconds(3600);

  LocateListingsTest() {
    super(Instant.parse("2024-03-02T00:00:00Z"), b -> b.add("foo", "1.0").add("bar", "1.0"));
  }

  @BeforeEach
  void start() throws Exception {
    Bodies.readAll(get(IN_RELEASE, Optional.empty())); // only the root: nobody fetched Packages
    upstream.clearRequests();
  }

  @Test
  void atT_onlyRootStored_listingFetchedByHashGzip_packageVerifiedAndPinned() throws Exception {
    AptGeneration.BuiltDeb foo = g1.deb("foo");

    Fetched f = get(foo.poolPath(), Optional.of(T));

    assertThat(Bodies.readAll(f)).isEqualTo(Files.readAllBytes(g1.resolve(foo.poolPath())));
    f.settled().get(10, TimeUnit.SECONDS);
    assertThat(f.digest()).hasValue(Digest.sha256(foo.sha256()));
    assertThat(f.provenance().pin()).as("X-Reprox-Pin").isPresent();
    assertThat(f.provenance().generation()).hasValueSatisfying(d -> assertThat(d.hex()).isEqualTo(g1.inReleaseSha256()));
    assertThat(upstream.requestsFor("/" + byHash(PACKAGES_GZ))).as("the gzip listing, by hash").hasSize(1);
    assertThat(upstream.requestsEndingWith("Packages.xz")).isEmpty();
    assertThat(upstream.requestsEndingWith(g1.file(PACKAGES_GZ.replace(".gz", ".xz")).sha256())).isEmpty();
    assertThat(storage.paths().isIndexed("fix", Digest.sha256(g1.file(PACKAGES_GZ).sha256()))).isTrue();
  }

  @Test
  void atT_concurrentRequests_oneUpstreamGetPerListing() throws Exception {
    List<CompletableFuture<Fetched>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String path = g1.deb(i % 2 == 0 ? "foo" : "bar").poolPath();
      all.add(fetchers.fetcher().fetch(new FetchRequest(repo, path, Optional.of(T), null, null)));
    }
    for (int i = 0; i < all.size(); i++) {
      Fetched f = all.get(i).get(20, TimeUnit.SECONDS);
      String name = i % 2 == 0 ? "foo" : "bar";
      assertThat(Bodies.readAll(f)).isEqualTo(Files.readAllBytes(g1.resolve(g1.deb(name).poolPath())));
    }

    assertThat(upstream.requestsFor("/" + byHash(PACKAGES_GZ))).as("one GET per listing digest").hasSize(1);
  }

  @Test
  void atT_tamperedListing_integrityError_nothingStoredNorIndexed() throws Exception {
    builder.tamperPackages();

    FetchException e = failure(new FetchRequest(repo, g1.deb("foo").poolPath(), Optional.of(T), null, null));

    assertThat(e.kind()).as(e.getMessage()).isEqualTo(FetchException.Kind.INTEGRITY);
    Digest listing = Digest.sha256(g1.file(PACKAGES_GZ).sha256());
    assertThat(storage.blobs().stat(listing)).isEmpty();
    assertThat(storage.paths().isIndexed("fix", listing)).isFalse();
    assertThat(storage.paths().lookup("fix", g1.deb("foo").poolPath())).isEmpty();
    assertThat(upstream.requestsEndingWith(g1.deb("foo").poolPath())).as("no package without a listing").isEmpty();
  }

  @Test
  void atT_tamperedPackage_cut_notStored() throws Exception {
    builder.tamperDeb("foo");

    Fetched f = get(g1.deb("foo").poolPath(), Optional.of(T));

    assertThat(catchThrowable(() -> Bodies.readAll(f))).as("the client never gets the whole tampered body")
        .isNotNull();
    f.settled().get(10, TimeUnit.SECONDS);
    assertThat(f.digest()).isEmpty();
    assertThat(storage.blobs().stat(Digest.sha256(g1.deb("foo").sha256()))).isEmpty();
    assertThat(storage.paths().lookup("fix", g1.deb("foo").poolPath())).as("the listing was good").hasSize(1);
  }

  @Test
  void atT_nameInNoListing_404AfterTheListingFetch() throws Exception {
    FetchException e = failure(new FetchRequest(repo, "pool/main/n/nope/nope_1.0_amd64.deb", Optional.of(T), null,
        null));

    assertThat(e.kind().status()).as(e.getMessage()).isEqualTo(404);
    assertThat(e.getMessage()).contains("no listing of the repository's generation for this time names it");
    assertThat(upstream.requestsFor("/" + byHash(PACKAGES_GZ))).as("asked before answering 404").hasSize(1);
  }

  @Test
  void atT_byHashCopyGoneUpstream_listingFetchedByItsOwnPath() throws Exception {
    java.nio.file.Files.delete(g1.resolve(byHash(PACKAGES_GZ)));

    Fetched f = get(g1.deb("foo").poolPath(), Optional.of(T));

    assertThat(Bodies.readAll(f)).isEqualTo(Files.readAllBytes(g1.resolve(g1.deb("foo").poolPath())));
    assertThat(upstream.requestsFor("/" + byHash(PACKAGES_GZ))).hasSize(1);
    assertThat(upstream.requestsFor("/" + PACKAGES_GZ)).as("then its own path, same check").hasSize(1);
  }

  @Test
  void atT_twoSuitesListMain_largerSuiteFetchedFirst_updatesListingNeverAsked() throws Exception {
    // stable-updates sorts before stable and lists main too, but holds one package to stable's two.
    AptRepoBuilder updates = AptRepoBuilder.in(tmp.resolve("updates")).suite("stable-updates")
        .signingKey(builder.signingKey()).date(G1_DATE).add("baz", "1.1");
    updates.publish();
    copyTree(updates.root().resolve("dists/stable-updates"), builder.root().resolve("dists/stable-updates"));
    Bodies.readAll(get("dists/stable-updates/InRelease", Optional.empty()));
    upstream.clearRequests();

    Fetched f = get(g1.deb("foo").poolPath(), Optional.of(T));

    assertThat(Bodies.readAll(f)).isEqualTo(Files.readAllBytes(g1.resolve(g1.deb("foo").poolPath())));
    assertThat(upstream.requestsFor("/" + byHash(PACKAGES_GZ))).hasSize(1);
    assertThat(upstream.requests()).as("nothing of stable-updates")
        .noneMatch(request -> request.path().contains("stable-updates"));
  }

  @Test
  void live_onlyRootStored_listingFetched_packageServed() throws Exception {
    Fetched f = get(g1.deb("bar").poolPath(), Optional.empty());

    assertThat(Bodies.readAll(f)).isEqualTo(Files.readAllBytes(g1.resolve(g1.deb("bar").poolPath())));
    assertThat(f.provenance().pin()).hasValue("live");
  }

  private static void copyTree(Path from, Path to) throws java.io.IOException {
    try (var files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }

  private String byHash(String listing) {
    return listing.substring(0, listing.lastIndexOf('/') + 1) + "by-hash/SHA256/" + g1.file(listing).sha256();
  }

  private Fetched get(String path, Optional<Instant> at) throws Exception {
    return fetchers.fetcher().fetch(new FetchRequest(repo, path, at, null, null)).get(20, TimeUnit.SECONDS);
  }

  private FetchException failure(FetchRequest request) {
    CompletableFuture<Fetched> f = fetchers.fetcher().fetch(request);
    Throwable e = catchThrowable(() -> f.get(20, TimeUnit.SECONDS));
    assertThat(e).as("fails").isNotNull();
    return FetchException.of(e, request);
  }
}
