package dev.reprox.server.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.http.HttpResponse.BodyHandlers;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Through the whole layer: a trickling body is cut within about a window, and counted. */
class MinRateTest {
  private static final String DEB = "/debian/pool/main/h/hello/hello_2.10-3_amd64.deb";
  @RegisterExtension
  static final SnapshotServerFixture.PerClass SERVER = new SnapshotServerFixture.PerClass();

  private final SnapshotServerFixture snap = SERVER.fixture();
  private final PoliteUpstream up = snap.upstream(HostPolicy.mirror().toBuilder().maxRetries(0)
      .minRate(1024, Duration.ofMillis(800)).build(), Clock.systemUTC());

  @Test
  void send_bodyDribblingBelowMinRate_failsTooSlow_permitReleased_counted() {
    // 2,000 bytes in 20 pieces over 6 s: 333 B/s, a piece every 300 ms (no idle stall anywhere).
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Length", "2000").withBody(new byte[2000]).withChunkedDribbleDelay(20, 6_000)));
    long start = System.nanoTime();

    Throwable error = catchThrowable(() -> up.send(snap.get(DEB), BodyHandlers.ofByteArray())
        .orTimeout(20, TimeUnit.SECONDS).join());

    assertThat(error).hasCauseInstanceOf(UpstreamTooSlowException.class);
    assertThat(error.getCause()).hasMessageContaining("below the host's minimum of 1024 B/s");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("cut after about one window, not at the drip's end")
        .isLessThan(Duration.ofSeconds(6));
    assertThat(snap.counter("reprox.upstream.requests", "outcome", "too_slow")).isEqualTo(1);
    assertThat(snap.counter("reprox.upstream.requests", "outcome", "body_error")).isZero();
    assertThat(snap.gauge("reprox.upstream.inflight")).isZero();
  }

  @Test
  void send_fastBodyLongerThanAWindow_delivered() {
    // 64 KiB over 2 s (32 KiB/s): longer than the window, well above the minimum.
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(200)
        .withBody(new byte[64 * 1024]).withChunkedDribbleDelay(8, 2_000)));

    byte[] body = up.send(snap.get(DEB), BodyHandlers.ofByteArray()).orTimeout(20, TimeUnit.SECONDS).join().body();

    assertThat(body).hasSize(64 * 1024);
    assertThat(snap.counter("reprox.upstream.requests", "outcome", "too_slow")).isZero();
  }

  @Test
  void policy_minRateOff_trickleDelivered() {
    PoliteUpstream patient = snap.upstream(HostPolicy.mirror().toBuilder().minRate(0, Duration.ofMillis(800)).build(),
        Clock.systemUTC());
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(200)
        .withBody(new byte[100]).withChunkedDribbleDelay(5, 1_500)));

    assertThat(patient.send(snap.get(DEB), BodyHandlers.ofByteArray()).orTimeout(20, TimeUnit.SECONDS).join().body())
        .hasSize(100);
  }
}
