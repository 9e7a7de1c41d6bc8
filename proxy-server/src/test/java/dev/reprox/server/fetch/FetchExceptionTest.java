package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The offline 503's message: repository, path and T of the client's request, whatever failed inside. */
class FetchExceptionTest {
  private static final RepositoryConfig DEBIAN = new RepositoryConfig("debian", RepositoryConfig.Format.APT,
      URI.create("http://deb.debian.org/debian"), Optional.empty(), new Keyring.None(),
      RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), true);
  private static final Instant T = Instant.parse("2024-03-01T00:00:00Z");

  @Test
  void offline_live_namesRepositoryPathAndLive() {
    FetchException e = FetchException.offline(new FetchRequest(DEBIAN, "pool/main/h/hello.deb"),
        "not stored, and " + FetchException.offlineSwitch(false, "debian"));
    assertThat(e.kind().status()).isEqualTo(503);
    assertThat(e.getMessage()).isEqualTo("fetch debian/pool/main/h/hello.deb at live: offline: not stored, and"
        + " repository debian has offline: true and asks no upstream");
  }

  @Test
  void naming_innerRootFailure_prefixedWithTheClientsRequestAtT() {
    FetchRequest pkg = new FetchRequest(DEBIAN, "pool/main/h/hello.deb", Optional.of(T), null, null);
    FetchException inner = new FetchException(FetchException.Kind.OFFLINE,
        "root index debian/dists/bookworm/InRelease (live) was never fetched");
    FetchException named = inner.naming(pkg);
    assertThat(named.kind()).isEqualTo(FetchException.Kind.OFFLINE);
    assertThat(named.getMessage()).isEqualTo("fetch debian/pool/main/h/hello.deb at 2024-03-01T00:00:00Z: offline: "
        + "root index debian/dists/bookworm/InRelease (live) was never fetched");
    assertThat(named.getCause()).isSameAs(inner);
  }

  @Test
  void naming_alreadyNamed_orNotOffline_unchanged() {
    FetchRequest pkg = new FetchRequest(DEBIAN, "pool/main/h/hello.deb", Optional.of(T), null, null);
    FetchException own = FetchException.offline(pkg, "not stored");
    assertThat(own.naming(pkg)).isSameAs(own);
    assertThat(own.naming(new FetchRequest(DEBIAN, "pool/main/h/hello.deb")).getMessage())
        .as("the same path live is another request").startsWith("fetch debian/pool/main/h/hello.deb at live: ");
    FetchException notFound = new FetchException(FetchException.Kind.NOT_FOUND, "fetch x: not found");
    assertThat(notFound.naming(pkg)).isSameAs(notFound);
  }

  @Test
  void of_blobNotStored_isNotFoundNotAStorageFailure() {
    FetchRequest pkg = new FetchRequest(DEBIAN, "pool/main/h/hello.deb");
    dev.reprox.storage.Digest d = dev.reprox.storage.Digest.compute(new byte[] {1});
    FetchException f = FetchException.of(new java.util.concurrent.CompletionException(
        new dev.reprox.storage.BlobNotFoundException(d)), pkg);
    assertThat(f.kind()).isEqualTo(FetchException.Kind.NOT_FOUND);
    assertThat(f.answer()).isEqualTo(new FetchException.Answer(404, null, "not_found"));
    assertThat(f.getMessage()).startsWith("fetch debian/pool/main/h/hello.deb").contains(d.hex());
  }

  @Test
  void answer_everyKind_theStatusReasonPhraseAndOutcomeClientsAndDashboardsKnow() {
    assertThat(FetchException.Kind.UNPROVEN.answer(null)).isEqualTo(
        new FetchException.Answer(503, "Not proven at T (strict)", "unproven"));
    assertThat(FetchException.Kind.OFFLINE.answer(null)).isEqualTo(
        new FetchException.Answer(503, "Offline and not stored", "offline"));
    assertThat(FetchException.Kind.INTEGRITY.answer(null)).isEqualTo(
        new FetchException.Answer(502, "Integrity check failed", "integrity"));
    assertThat(FetchException.Kind.NOT_FOUND.answer(FetchException.NOT_IN_GENERATION)).isEqualTo(
        new FetchException.Answer(404, "Not in the generation at T", "not_found"));
    assertThat(FetchException.Kind.METHOD_NOT_ALLOWED.answer(null)).isEqualTo(new FetchException.Answer(405, null,
        "method"));
    assertThat(FetchException.Kind.BAD_PIN.answer(null).outcome()).isEqualTo("proxy_auth");
    assertThat(FetchException.Kind.NOT_COVERED.answer(null)).isEqualTo(new FetchException.Answer(403,
        "Forbidden (reprox: no configured repository covers this URL)", "forbidden"));
    assertThat(FetchException.Kind.TUNNEL_FAILED.answer(null)).isEqualTo(new FetchException.Answer(502,
        "Bad Gateway (reprox: tunnel target unreachable)", "tunnel_failed"));
    assertThat(FetchException.Kind.TOO_MANY_CONNECTIONS.answer(null)).isEqualTo(new FetchException.Answer(503,
        null, "too_many_connections"));
    assertThat(FetchException.Kind.UPSTREAM_TIMEOUT.answer(null)).isEqualTo(new FetchException.Answer(504, null,
        "upstream_timeout"));
    assertThat(FetchException.Kind.ADMIN_DISABLED.answer(null).status()).isEqualTo(403);
    assertThat(FetchException.Kind.UNAUTHORIZED.answer(null).status()).isEqualTo(401);
  }

  @Test
  void storageFailure_causedByAnUnreachableBackend_is503NamingIt_otherStorageFailures500() {
    FetchRequest pkg = new FetchRequest(DEBIAN, "pool/main/h/hello.deb");
    dev.reprox.storage.StorageUnavailableException down = new dev.reprox.storage.StorageUnavailableException(
        "stat: database (PostgreSQL) unavailable: Connection refused", null);

    FetchException f = FetchException.of(new java.util.concurrent.CompletionException(down), pkg);
    assertThat(f.answer()).isEqualTo(new FetchException.Answer(503, "Storage unavailable", "storage_unavailable"));
    assertThat(f.getMessage()).contains("database (PostgreSQL) unavailable");
    // Wrapped once more on the way (an open's failure, a lookup's): still the 503.
    assertThat(new FetchException(FetchException.Kind.STORAGE, "open x: " + down.getMessage(),
        new dev.reprox.storage.StorageException("open", down)).kind())
        .isEqualTo(FetchException.Kind.STORAGE_UNAVAILABLE);
    assertThat(new FetchException(FetchException.Kind.STORAGE, "open x: damaged",
        new dev.reprox.storage.StorageException("the object store's copy is damaged")).answer().status())
        .isEqualTo(500);
  }
}
