package dev.reprox.server.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.http.Fault;
import dev.reprox.server.upstream.UpstreamUnavailableException.Kind;
import dev.reprox.storage.MutableClock;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A 500 storm opens the breaker; the cool-down runs on a clock the test moves. */
class BreakerTest {
  private static final String DEB = "/archive/debian/20240301T000000Z/pool/main/h/hello/hello_2.10-3_amd64.deb";
  @RegisterExtension
  static final SnapshotServerFixture.PerClass SERVER = new SnapshotServerFixture.PerClass();

  private final SnapshotServerFixture snap = SERVER.fixture();
  private final MutableClock clock = new MutableClock(Instant.parse("2024-03-01T00:00:00Z"));
  private final PoliteUpstream up = snap.upstream(HostPolicy.builder().maxRetries(1)
      .backoff(Duration.ofMillis(10), Duration.ofMillis(10)).breaker(4, Duration.ofSeconds(30))
      .ratePerSecond(1000).burst(100).build(), clock);

  @Test
  void serverErrorStorm_opensBreaker_failsFast_thenOneHalfOpenProbe_successCloses() {
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(500)));
    assertThat(kindOf(send())).isEqualTo(Kind.RETRIES_EXHAUSTED); // 2 attempts
    assertThat(kindOf(send())).isEqualTo(Kind.RETRIES_EXHAUSTED); // 2 more: 4 failures, open
    assertThat(snap.received(DEB)).hasSize(4);
    assertThat(snap.gauge("reprox.upstream.breaker.state")).isEqualTo(1);

    assertThat(kindOf(send())).isEqualTo(Kind.BREAKER_OPEN);
    clock.advance(Duration.ofSeconds(29));
    assertThat(kindOf(send())).isEqualTo(Kind.BREAKER_OPEN);
    assertThat(snap.received(DEB)).hasSize(4); // failed fast: the server saw nothing

    clock.advance(Duration.ofSeconds(1));
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(200).withBody("deb").withFixedDelay(300)));
    CompletableFuture<HttpResponse<String>> probe = send();
    assertThat(kindOf(send())).isEqualTo(Kind.BREAKER_OPEN); // only one probe while half-open
    assertThat(snap.gauge("reprox.upstream.breaker.state")).isEqualTo(2);
    assertThat(probe.orTimeout(10, TimeUnit.SECONDS).join().body()).isEqualTo("deb");
    assertThat(snap.gauge("reprox.upstream.breaker.state")).isZero();

    assertThat(send().orTimeout(10, TimeUnit.SECONDS).join().statusCode()).isEqualTo(200);
    assertThat(snap.received(DEB)).hasSize(6);
    assertThat(snap.counter("reprox.upstream.requests", "outcome", "breaker_open")).isEqualTo(3);
  }

  @Test
  void serverErrorStorm_eachFailedCallOneWarn_breakerOpeningOneLine_refusalsNone() {
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(500)));
    try (dev.reprox.server.testing.CapturedLog calls = new dev.reprox.server.testing.CapturedLog(PoliteCall.class);
        dev.reprox.server.testing.CapturedLog breaker =
            new dev.reprox.server.testing.CapturedLog(CircuitBreaker.class)) {
      kindOf(send());
      kindOf(send()); // 4 failures: open
      for (int i = 0; i < 5; i++) {
        assertThat(kindOf(send())).isEqualTo(Kind.BREAKER_OPEN);
      }

      assertThat(calls.warnings()).hasSize(2).allSatisfy(line -> assertThat(line)
          .startsWith("upstream failure: GET http://localhost:" + snap.server.port() + DEB)
          .contains("gave up after 2 attempts, last: status 500"));
      assertThat(breaker.warnings()).singleElement().satisfies(line -> assertThat(line)
          .isEqualTo("breaker for http://localhost:" + snap.server.port()
              + " opened: 4 consecutive failures; requests to it fail at once (503) for 30 s"));
    }
  }

  @Test
  void failedProbe_reopensForAnotherCoolDown() {
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(503)));
    kindOf(send());
    kindOf(send());
    clock.advance(Duration.ofSeconds(30));

    assertThat(kindOf(send())).isEqualTo(Kind.BREAKER_OPEN); // the probe failed, its retry met the open breaker
    assertThat(snap.received(DEB)).hasSize(5);
    assertThat(kindOf(send())).isEqualTo(Kind.BREAKER_OPEN);
    assertThat(snap.received(DEB)).hasSize(5);
  }

  @Test
  void notFound_isFinal_neitherRetriedNorCountedAgainstTheHost() {
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(404)));
    for (int i = 0; i < 6; i++) {
      assertThat(send().orTimeout(10, TimeUnit.SECONDS).join().statusCode()).isEqualTo(404);
    }
    assertThat(snap.received(DEB)).hasSize(6);
    assertThat(snap.gauge("reprox.upstream.breaker.state")).isZero();
  }

  @Test
  void bodyCutShort_afterCommit_notRetried_permitReleased_countsAsHostFailure() {
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(200)
        .withFault(Fault.MALFORMED_RESPONSE_CHUNK)));

    Throwable error = send().orTimeout(10, TimeUnit.SECONDS).handle((v, e) -> e).join();

    assertThat(error).isNotNull();
    assertThat(snap.received(DEB)).hasSize(1); // bytes may have reached the caller: no retry
    assertThat(snap.gauge("reprox.upstream.inflight")).isZero();
    assertThat(snap.counter("reprox.upstream.requests", "outcome", "body_error")).isEqualTo(1);
  }

  private CompletableFuture<HttpResponse<String>> send() {
    return up.send(snap.get(DEB), BodyHandlers.ofString());
  }

  private static Kind kindOf(CompletableFuture<?> future) {
    Throwable t = future.orTimeout(10, TimeUnit.SECONDS).handle((v, e) -> e).join();
    assertThat(t).isNotNull();
    Throwable cause = t instanceof java.util.concurrent.CompletionException ? t.getCause() : t;
    assertThat(cause).isInstanceOf(UpstreamUnavailableException.class);
    return ((UpstreamUnavailableException) cause).kind();
  }
}
