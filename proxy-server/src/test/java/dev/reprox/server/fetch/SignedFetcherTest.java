package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import dev.reprox.testkit.pgp.SigningKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The signed fetch path over a memory store and a loopback fixture repository. */
class SignedFetcherTest {
  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final Storage storage = MemoryStorage.builder().clock(clock).build();

  private Fetchers fetchers(RepositoryConfig repo) {
    return Fetchers.builder().storage(storage).storageExecutor(Runnable::run).clock(clock)
        .headerTimeout(Duration.ofSeconds(5)).repositories(java.util.List.of(repo)).build();
  }

  private static RepositoryConfig repo(StaticServer upstream, Keyring keyring) {
    return new RepositoryConfig("fix", RepositoryConfig.Format.APT,
        java.net.URI.create(upstream.baseUri().toString().replaceAll("/$", "")), Optional.empty(), keyring,
        RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false);
  }

  @Test
  void offline_noRootEverFetched_belowRootPaths503NamingRepoPathAndT_not404() {
    RepositoryConfig r = new RepositoryConfig("fix", RepositoryConfig.Format.APT,
        java.net.URI.create("http://127.0.0.1:9/fix"), Optional.empty(), new Keyring.None(),
        RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), true);
    Instant t = Instant.parse("2024-03-01T00:00:00Z");
    try (Fetchers f = fetchers(r)) {
      assertThat(offlineMessage(f, new FetchRequest(r, "pool/main/f/foo/foo_1.0_all.deb")))
          .startsWith("fetch fix/pool/main/f/foo/foo_1.0_all.deb at live: offline: no root index")
          .contains("repository fix has offline: true");
      assertThat(offlineMessage(f, new FetchRequest(r, "dists/stable/main/binary-amd64/Packages.xz", Optional.of(t),
          null, null)))
          .startsWith("fetch fix/dists/stable/main/binary-amd64/Packages.xz at 2024-03-01T00:00:00Z: offline: ");
    }
  }

  private static String offlineMessage(Fetchers f, FetchRequest request) {
    Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> f.fetcher().fetch(request).join());
    FetchException fe = FetchException.of(e, request);
    assertThat(fe.kind()).as(fe.getMessage()).isEqualTo(FetchException.Kind.OFFLINE);
    assertThat(fe.kind().status()).isEqualTo(503);
    return fe.getMessage();
  }

  @Test
  void liveRoot_signedByStranger_502NamingRepoPathAndKind_notRecorded() throws Exception {
    AptRepoBuilder builder = AptRepoBuilder.in(tmp.resolve("repo")).date(Instant.parse("2024-03-01T00:00:00Z"))
        .add("foo", "1.0");
    builder.publish();
    Path stranger = SigningKey.ed25519("Stranger <x@reprox.invalid>").writeKeyring(tmp.resolve("other.gpg"));
    try (StaticServer upstream = StaticServer.serve(builder.root());
        Fetchers f = fetchers(repo(upstream, new Keyring.File(stranger)))) {
      RepositoryConfig r = repo(upstream, new Keyring.File(stranger));
      assertThatThrownBy(() -> f.fetcher().fetch(new FetchRequest(r, "dists/stable/InRelease")).join())
          .isInstanceOf(CompletionException.class)
          .satisfies(e -> {
            FetchException fe = FetchException.of(e, new FetchRequest(r, "x"));
            assertThat(fe.kind().status()).isEqualTo(502);
            assertThat(fe.getMessage()).contains("fix/dists/stable/InRelease").contains("no_known_signer");
          });
      assertThat(storage.observations().roots("fix")).isEmpty();
    }
  }

  @Test
  void liveRoot_good_recordedAndServedWithGenerationThenListingChecked() throws Exception {
    AptRepoBuilder builder = AptRepoBuilder.in(tmp.resolve("repo")).date(Instant.parse("2024-03-01T00:00:00Z"))
        .add("foo", "1.0");
    AptGeneration g1 = builder.publish();
    Path keyring = builder.writeKeyring(tmp.resolve("fix.gpg"));
    try (StaticServer upstream = StaticServer.serve(builder.root());
        Fetchers f = fetchers(repo(upstream, new Keyring.File(keyring)))) {
      RepositoryConfig r = repo(upstream, new Keyring.File(keyring));
      Fetched root = f.fetcher().fetch(new FetchRequest(r, "dists/stable/InRelease")).join();
      assertThat(root.provenance().generation()).hasValueSatisfying(d -> assertThat(d.hex())
          .isEqualTo(g1.inReleaseSha256()));
      assertThat(root.provenance().pin()).hasValue("live");
      assertThat(storage.observations().generations("fix", "dists/stable/InRelease")).hasSize(1);

      // within root-ttl the stored copy answers: no second upstream GET
      f.fetcher().fetch(new FetchRequest(r, "dists/stable/InRelease")).join();
      assertThat(upstream.requestsFor("dists/stable/InRelease")).hasSize(1);

      assertThatThrownBy(() -> f.fetcher().fetch(new FetchRequest(r, "dists/stable/main/binary-amd64/Nope")).join())
          .satisfies(e -> assertThat(FetchException.of(e, new FetchRequest(r, "x")).kind().status()).isEqualTo(404));
    }
  }
}
