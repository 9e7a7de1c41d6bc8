package dev.reprox.server.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Caps, tokens, Retry-After and backoff against a WireMock snapshot.debian.org, in real time. */
class PolitenessTest {
  private static final String DEB = "/archive/debian/20240301T000000Z/pool/main/h/hello/hello_2.10-3_amd64.deb";
  @RegisterExtension
  static final SnapshotServerFixture.PerClass SERVER = new SnapshotServerFixture.PerClass();

  private final SnapshotServerFixture snap = SERVER.fixture();

  @Test
  void tooManyRequests_withRetryAfter_waitsThatLong_thenRetriesAndSucceeds() {
    snap.server.stubFor(get(urlEqualTo(DEB)).inScenario("busy").whenScenarioStateIs(STARTED)
        .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")).willSetStateTo("calm"));
    snap.server.stubFor(get(urlEqualTo(DEB)).inScenario("busy").whenScenarioStateIs("calm")
        .willReturn(aResponse().withStatus(200).withBody("deb")));
    PoliteUpstream up = snap.upstream(HostPolicy.snapshotServer(), Clock.systemUTC());

    HttpResponse<String> response = up.send(snap.get(DEB), BodyHandlers.ofString()).orTimeout(10, TimeUnit.SECONDS).join();

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("deb");
    List<Long> dates = snap.received(DEB);
    assertThat(dates).hasSize(2);
    assertThat(dates.get(1) - dates.get(0)).isGreaterThanOrEqualTo(1000);
    assertThat(snap.counter("reprox.upstream.retries", "reason", "retry_after")).isEqualTo(1);
    assertThat(snap.counter("reprox.upstream.requests", "outcome", "rate_limited")).isEqualTo(1);
  }

  @Test
  void twentyConcurrentRequests_capTwo_serverNeverHoldsMoreThanTwo() {
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(200).withBody("deb").withFixedDelay(100)));
    PoliteUpstream up = snap.upstream(HostPolicy.builder().concurrency(2).ratePerSecond(1000).burst(100).build(),
        Clock.systemUTC());

    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(up.send(snap.get(DEB), BodyHandlers.ofString()));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).orTimeout(20, TimeUnit.SECONDS).join();

    assertThat(all).allSatisfy(f -> assertThat(f.join().statusCode()).isEqualTo(200));
    List<Long> dates = snap.received(DEB);
    assertThat(dates).hasSize(20);
    // Exactly two: never more (the cap), and the cap is really used (two at a time).
    assertThat(SnapshotServerFixture.maxOverlap(dates, 100)).isEqualTo(2);
    assertThat(snap.gauge("reprox.upstream.inflight")).isZero();
  }

  @Test
  void serverErrors_retriedWithBackoff_spacedAtLeastTheBase() {
    snap.server.stubFor(get(urlEqualTo(DEB)).inScenario("flaky").whenScenarioStateIs(STARTED)
        .willReturn(aResponse().withStatus(500)).willSetStateTo("still"));
    snap.server.stubFor(get(urlEqualTo(DEB)).inScenario("flaky").whenScenarioStateIs("still")
        .willReturn(aResponse().withStatus(502)).willSetStateTo("ok"));
    snap.server.stubFor(get(urlEqualTo(DEB)).inScenario("flaky").whenScenarioStateIs("ok")
        .willReturn(aResponse().withStatus(200).withBody("deb")));
    PoliteUpstream up = snap.upstream(HostPolicy.builder().backoff(Duration.ofMillis(300), Duration.ofSeconds(1)).build(),
        Clock.systemUTC());

    HttpResponse<String> response = up.send(snap.get(DEB), BodyHandlers.ofString()).orTimeout(10, TimeUnit.SECONDS).join();

    assertThat(response.body()).isEqualTo("deb");
    List<Long> dates = snap.received(DEB);
    assertThat(dates).hasSize(3);
    assertThat(dates.get(1) - dates.get(0)).isGreaterThanOrEqualTo(300);
    assertThat(dates.get(2) - dates.get(1)).isGreaterThanOrEqualTo(300);
    assertThat(snap.counter("reprox.upstream.retries", "reason", "server_error")).isEqualTo(2);
  }

  @Test
  void tokenBucket_fivePerSecondBurstOne_tenRequestsTakeAtLeastNineIntervals() {
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(200).withBody("deb")));
    PoliteUpstream up = snap.upstream(HostPolicy.builder().concurrency(10).ratePerSecond(5).burst(1).build(),
        Clock.systemUTC());

    long start = System.nanoTime();
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      all.add(up.send(snap.get(DEB), BodyHandlers.ofString()));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    // Exact on the client: the tenth token cannot exist before 9 × 200 ms after the first.
    assertThat(elapsedMillis).isGreaterThanOrEqualTo(1800);
    // On the server: the first request may reach it late by one connection set-up, hence 100 ms.
    List<Long> dates = snap.received(DEB);
    assertThat(dates).hasSize(10);
    assertThat(dates.get(9) - dates.get(0)).isGreaterThanOrEqualTo(1700);
  }

  @Test
  void permit_isHeldUntilTheStreamedBodyEnds() {
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(200)
        .withBody("x".repeat(5000)).withChunkedDribbleDelay(5, 1000)));
    PoliteUpstream up = snap.upstream(HostPolicy.builder().concurrency(2).ratePerSecond(1000).burst(100).build(),
        Clock.systemUTC());

    List<Long> headersAt = new ArrayList<>();
    HttpResponse.BodyHandler<byte[]> handler = info -> {
      synchronized (headersAt) {
        headersAt.add(System.currentTimeMillis());
      }
      return HttpResponse.BodySubscribers.ofByteArray();
    };
    List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      all.add(up.send(snap.get(DEB), handler));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();

    assertThat(all).allSatisfy(f -> assertThat(f.join().body()).hasSize(5000));
    List<Long> dates = snap.received(DEB);
    assertThat(dates).hasSize(3);
    // The third waited for a whole dribbled body, not merely for the first response head.
    assertThat(dates.get(2) - dates.get(0)).isGreaterThanOrEqualTo(1000);
    List<Long> heads = headersAt.stream().sorted().toList();
    assertThat(heads.get(1)).isLessThan(dates.get(2));
    assertThat(snap.gauge("reprox.upstream.inflight")).isZero();
  }
}
