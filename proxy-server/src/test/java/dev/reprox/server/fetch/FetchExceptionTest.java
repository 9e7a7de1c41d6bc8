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
}
