package dev.reprox.server.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.server.fetch.FetchException;
import dev.reprox.server.fetch.FetchRequest;
import dev.reprox.server.fetch.Fetchers;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Trust#locate}: what the bytes of a request must be, answered from the signed chain alone
 * (the root at T, the listings it names, fetched when none is indexed), without moving the bytes
 * themselves.
 */
class TrustTest {
  private static final String IN_RELEASE = "dists/stable/InRelease";
  private static final String PACKAGES_GZ = "dists/stable/main/binary-amd64/Packages.gz";
  private static final Instant G1_DATE = Instant.parse("2024-03-01T00:00:00Z");
  private static final Instant T = G1_DATE.plusSeconds(3600);
  private static final URI SNAPSHOT = URI.create("http://snapshot.invalid/archive/fix/");

  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(Instant.parse("2024-03-02T00:00:00Z"));
  private final Storage storage = MemoryStorage.builder().clock(clock).build();
  private final ExecutorService storageThreads = Executors.newCachedThreadPool();
  private AptRepoBuilder builder;
  private AptGeneration g1;
  private StaticServer upstream;
  private RepositoryConfig repo;
  private Fetchers fetchers;
  private Trust trust;

  @BeforeEach
  void start() throws Exception {
    builder = AptRepoBuilder.in(tmp.resolve("repo")).date(G1_DATE).add("foo", "1.0");
    g1 = builder.publish();
    Path keyring = builder.writeKeyring(tmp.resolve("fix.gpg"));
    upstream = StaticServer.serve(builder.root());
    repo = new RepositoryConfig("fix", RepositoryConfig.Format.APT,
        URI.create(upstream.baseUri().toString().replaceAll("/$", "")), Optional.of(SNAPSHOT),
        new Keyring.File(keyring), RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false);
    fetchers = Fetchers.builder().storage(storage).storageExecutor(storageThreads).clock(clock)
        .headerTimeout(Duration.ofSeconds(5)).repositories(List.of(repo)).build();
    trust = fetchers.trust();
  }

  @AfterEach
  void stop() {
    fetchers.close();
    upstream.close();
    storageThreads.shutdownNow();
  }

  @Test
  void locate_rootAtT_expectsTheVerifiedGenerationItStored() throws Exception {
    Located root = locate(IN_RELEASE);

    assertThat(root.basis()).isEqualTo(Located.Basis.ROOT);
    assertThat(root.sha256()).isEqualTo(Digest.sha256(g1.inReleaseSha256()));
    assertThat(storage.blobs().stat(root.sha256())).as("fetched, verified and stored by trust").isPresent();
    assertThat(root.provenance().root()).isTrue();
    assertThat(root.provenance().pin()).isPresent();
  }

  @Test
  void locate_listingAtT_expectedDigestAndSizeFromTheRoot() throws Exception {
    locate(IN_RELEASE);

    Located listing = locate(PACKAGES_GZ);

    assertThat(listing.basis()).isEqualTo(Located.Basis.LISTED);
    assertThat(listing.sha256()).isEqualTo(Digest.sha256(g1.file(PACKAGES_GZ).sha256()));
    assertThat(listing.size()).isEqualTo(g1.file(PACKAGES_GZ).size());
    assertThat(listing.listing()).as("indexed behind its response").hasValue(PACKAGES_GZ);
  }

  @Test
  void locate_packageAtT_onlyRootRecorded_expectationFromTheFetchedListing_bytesNotMoved() throws Exception {
    locate(IN_RELEASE);
    AptGeneration.BuiltDeb foo = g1.deb("foo");

    Located pkg = locate(foo.poolPath());

    assertThat(pkg.basis()).isEqualTo(Located.Basis.LISTED);
    assertThat(pkg.sha256()).isEqualTo(Digest.sha256(foo.sha256()));
    assertThat(pkg.size()).isEqualTo(foo.size());
    assertThat(pkg.alias()).isEmpty();
    assertThat(pkg.listing()).isEmpty();
    assertThat(pkg.aliasKinds().get()).as("apt's SHA-1 for the snapshot server").contains(Alias.Kind.SHA1);
    assertThat(upstream.requestsEndingWith(foo.poolPath())).as("locate moves no package bytes").isEmpty();
  }

  @Test
  void locate_packageAtT_provenanceAndFallbacks() throws Exception {
    locate(IN_RELEASE);

    Located pkg = locate(g1.deb("foo").poolPath());

    assertThat(pkg.provenance().generation()).hasValue(Digest.sha256(g1.inReleaseSha256()));
    assertThat(pkg.provenance().publishedAt()).hasValue(G1_DATE);
    assertThat(pkg.provenance().pin()).as("X-Reprox-Pin").hasValueSatisfying(p -> assertThat(p).isNotBlank());
    assertThat(pkg.provenance().pinnedRoot()).hasValue("fix/" + IN_RELEASE);
    assertThat(pkg.provenance().immutable()).isTrue();
    assertThat(pkg.fallbacks()).as("the snapshot server at T, after the upstream's 404")
        .containsExactly(URI.create(SNAPSHOT + "20240301T010000Z"));
  }

  @Test
  void locate_packageInNoListing_notFoundOnlyAfterTheListingWasFetched() throws Exception {
    locate(IN_RELEASE);
    upstream.clearRequests();

    Throwable t = catchThrowable(() -> locate("pool/main/n/nope/nope_1.0_amd64.deb"));

    assertThat(t).isInstanceOf(ExecutionException.class).cause().isInstanceOf(FetchException.class);
    FetchException e = (FetchException) t.getCause();
    assertThat(e.kind()).as(e.getMessage()).isEqualTo(FetchException.Kind.NOT_FOUND);
    assertThat(e.getMessage()).contains("no listing of the repository's generation for this time names it");
    assertThat(upstream.requestsEndingWith(g1.file(PACKAGES_GZ).sha256())).as("the listing, by hash, asked first")
        .hasSize(1);
  }

  @Test
  void locate_packageAtT_tamperedListing_integrity_listingNeitherStoredNorIndexed() throws Exception {
    locate(IN_RELEASE);
    builder.tamperPackages();

    Throwable t = catchThrowable(() -> locate(g1.deb("foo").poolPath()));

    assertThat(t).isInstanceOf(ExecutionException.class).cause().isInstanceOf(FetchException.class);
    FetchException e = (FetchException) t.getCause();
    assertThat(e.kind()).as(e.getMessage()).isEqualTo(FetchException.Kind.INTEGRITY);
    Digest listing = Digest.sha256(g1.file(PACKAGES_GZ).sha256());
    assertThat(storage.blobs().stat(listing)).isEmpty();
    assertThat(storage.paths().isIndexed("fix", listing)).isFalse();
  }

  @Test
  void locate_live_provenanceIsLiveAndNoFallback() throws Exception {
    trust.locate(new FetchRequest(repo, IN_RELEASE)).get(20, TimeUnit.SECONDS);

    Located pkg = trust.locate(new FetchRequest(repo, g1.deb("foo").poolPath(), Optional.empty(), null, null))
        .get(20, TimeUnit.SECONDS);

    assertThat(pkg.sha256()).isEqualTo(Digest.sha256(g1.deb("foo").sha256()));
    assertThat(pkg.provenance().pin()).hasValue("live");
    assertThat(pkg.fallbacks()).isEmpty();
  }

  private Located locate(String path) throws Exception {
    return trust.locate(new FetchRequest(repo, path, Optional.of(T), null, null)).get(20, TimeUnit.SECONDS);
  }
}
