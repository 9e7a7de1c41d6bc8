package dev.reprox.server.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.MutableClock;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the status page shows per upstream host: breaker, in flight, last success, last error. */
class HostStatusTest {
  private static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");
  private static final String DEB = "/archive/debian/20240301T000000Z/pool/main/h/hello/hello_2.10-3_amd64.deb";
  @RegisterExtension
  static final SnapshotServerFixture.PerClass SERVER = new SnapshotServerFixture.PerClass();

  private final SnapshotServerFixture snap = SERVER.fixture();
  private final MutableClock clock = new MutableClock(T0);
  private final PoliteUpstream up = snap.upstream(HostPolicy.builder().maxRetries(0)
      .backoff(Duration.ofMillis(10), Duration.ofMillis(10)).breaker(1, Duration.ofSeconds(30))
      .ratePerSecond(1000).burst(100).build(), clock);

  @Test
  void hosts_errorThenRefusedThenSuccess_keepTheLastRealErrorAndTheLastSuccess() {
    assertThat(up.hosts()).isEmpty();
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(503)));

    settle(send()); // 503: the breaker (threshold 1) opens
    clock.advance(Duration.ofSeconds(10));
    settle(send()); // turned away by the open breaker: not an attempt, not the last error

    HostStatus open = up.hosts().get(0);
    assertThat(open.origin()).isEqualTo("http://localhost:" + snap.server.port());
    assertThat(open.breaker()).isEqualTo("open");
    assertThat(open.lastError()).hasValue("server_error: HTTP 503");
    assertThat(open.lastErrorAt()).hasValue(T0);
    assertThat(open.lastSuccess()).isEmpty();

    clock.advance(Duration.ofSeconds(30));
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(200).withBody("deb")));
    assertThat(send().orTimeout(10, TimeUnit.SECONDS).join().statusCode()).isEqualTo(200);

    HostStatus closed = up.hosts().get(0);
    assertThat(closed.breaker()).isEqualTo("closed");
    assertThat(closed.inFlight()).isZero();
    assertThat(closed.lastSuccess()).hasValue(T0.plusSeconds(40));
    assertThat(closed.lastError()).hasValue("server_error: HTTP 503");
    assertThat(up.hosts()).hasSize(1);
  }

  private CompletableFuture<HttpResponse<String>> send() {
    return up.send(snap.get(DEB), BodyHandlers.ofString());
  }

  private static void settle(CompletableFuture<?> future) {
    future.orTimeout(10, TimeUnit.SECONDS).handle((v, e) -> e).join();
  }
}
