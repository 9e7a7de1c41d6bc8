package dev.reprox.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.testing.CapturedLog;
import dev.reprox.server.upstream.UpstreamUnavailableException.Kind;
import dev.reprox.storage.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A snapshot server that refuses connections (a closed loopback port) costs one connect attempt
 * per breaker window and one WARN line, not the retries a mirror gets; attempts are counted by
 * the layer's own meter ({@code reprox.upstream.requests}, outcome {@code connect_error}).
 */
class UnreachableSnapshotServerTest {
  private static final String PATH = "/archive/debian/20240301T000000Z/dists/bookworm/InRelease";
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(30)).build();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MutableClock clock = new MutableClock(Instant.parse("2024-03-01T00:00:00Z"));

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  @Test
  void refusedConnect_snapshotPolicy_oneAttempt_breakerOpen_oneWarn_thenFailsFast() throws IOException {
    URI base = closedPort();
    PoliteUpstream up = upstream(base, fast(HostPolicy.snapshotServer()));
    try (CapturedLog calls = new CapturedLog(PoliteCall.class);
        CapturedLog breaker = new CapturedLog(CircuitBreaker.class)) {
      assertThat(kindOf(up.send(get(base), BodyHandlers.discarding()))).isEqualTo(Kind.RETRIES_EXHAUSTED);
      for (int i = 0; i < 5; i++) {
        assertThat(kindOf(up.send(get(base), BodyHandlers.discarding()))).isEqualTo(Kind.BREAKER_OPEN);
      }

      assertThat(count("connect_error")).isEqualTo(1);
      assertThat(registry.find("reprox.upstream.retries").counter()).isNull();
      assertThat(calls.warnings()).isEmpty();
      assertThat(breaker.warnings()).singleElement().satisfies(line -> assertThat(line)
          .isEqualTo("breaker for " + base + " opened: connect to it failed (ConnectException);"
              + " requests to it fail at once (503) for 30 s"));

      // The next window: one probe, one more attempt, one more line; then fast again.
      clock.advance(Duration.ofSeconds(30));
      assertThat(kindOf(up.send(get(base), BodyHandlers.discarding()))).isEqualTo(Kind.RETRIES_EXHAUSTED);
      assertThat(kindOf(up.send(get(base), BodyHandlers.discarding()))).isEqualTo(Kind.BREAKER_OPEN);
      assertThat(count("connect_error")).isEqualTo(2);
      assertThat(breaker.warnings()).hasSize(2);
    }
  }

  @Test
  void refusedConnect_mirrorPolicy_isStillRetried() throws IOException {
    URI base = closedPort();
    PoliteUpstream up = upstream(base, fast(HostPolicy.mirror()).toBuilder().maxRetries(2).build());

    assertThat(kindOf(up.send(get(base), BodyHandlers.discarding()))).isEqualTo(Kind.RETRIES_EXHAUSTED);

    assertThat(count("connect_error")).isEqualTo(3);
  }

  @Test
  void snapshotPolicy_connectsWithItsShortTimeout_mirrorWithTheClients() {
    URI base = URI.create("http://snapshot.invalid");
    DefaultPoliteUpstream up = (DefaultPoliteUpstream) upstream(base, HostPolicy.snapshotServer());

    assertThat(HostPolicy.snapshotServer().connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(up.client(HostPolicy.snapshotServer()).connectTimeout()).contains(Duration.ofSeconds(2));
    assertThat(up.client(HostPolicy.snapshotServer()).followRedirects()).isEqualTo(HttpClient.Redirect.NEVER);
    assertThat(up.client(HostPolicy.snapshotServer())).isSameAs(up.client(HostPolicy.snapshotServer()));
    assertThat(up.client(HostPolicy.mirror())).isSameAs(client);
  }

  @Test
  void overlayOfOtherFields_keepsTheConnectSettings() {
    HostPolicy p = HostPolicy.snapshotServer().toBuilder().maxRetries(7).build();

    assertThat(p.connectFailFast()).isTrue();
    assertThat(p.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(HostPolicy.mirror().connectFailFast()).isFalse();
    assertThat(HostPolicy.mirror().connectTimeout()).isZero();
  }

  /** The policy's own connect settings, without its token bucket and backoff slowing the test. */
  private static HostPolicy fast(HostPolicy p) {
    return p.toBuilder().ratePerSecond(1000).burst(100).backoff(Duration.ofMillis(5), Duration.ofMillis(5)).build();
  }

  private PoliteUpstream upstream(URI base, HostPolicy policy) {
    return PoliteUpstream.builder().client(client).scheduler(scheduler).clock(clock).meterRegistry(registry)
        .policy(base, policy).build();
  }

  /** A loopback port that was bound a moment ago and is closed now: connects are refused. */
  private static URI closedPort() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    return URI.create("http://127.0.0.1:" + port);
  }

  private static HttpRequest get(URI base) {
    return HttpRequest.newBuilder(base.resolve(PATH)).GET().build();
  }

  private double count(String outcome) {
    var c = registry.find("reprox.upstream.requests").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  private static Kind kindOf(CompletableFuture<?> future) {
    Throwable t = future.orTimeout(10, TimeUnit.SECONDS).handle((v, e) -> e).join();
    assertThat(t).isNotNull();
    Throwable cause = t instanceof java.util.concurrent.CompletionException ? t.getCause() : t;
    assertThat(cause).isInstanceOf(UpstreamUnavailableException.class);
    return ((UpstreamUnavailableException) cause).kind();
  }
}
