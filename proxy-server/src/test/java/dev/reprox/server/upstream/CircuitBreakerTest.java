package dev.reprox.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.upstream.CircuitBreaker.State;
import dev.reprox.storage.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2024-03-01T00:00:00Z"));
  private final CircuitBreaker breaker = new CircuitBreaker(clock, 3, Duration.ofSeconds(30));

  @Test
  void failures_belowThreshold_stayClosed_andSuccessResetsTheCount() {
    breaker.onFailure();
    breaker.onFailure();
    breaker.onSuccess();
    breaker.onFailure();
    breaker.onFailure();
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.tryPass()).isTrue();
  }

  @Test
  void thresholdFailures_open_andFailFastUntilCoolDown() {
    open();
    assertThat(breaker.tryPass()).isFalse();
    clock.advance(Duration.ofSeconds(29));
    assertThat(breaker.tryPass()).isFalse();
  }

  @Test
  void afterCoolDown_exactlyOneProbe_successCloses() {
    open();
    clock.advance(Duration.ofSeconds(30));
    assertThat(breaker.tryPass()).isTrue();
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    assertThat(breaker.tryPass()).isFalse();
    breaker.onSuccess();
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.tryPass()).isTrue();
  }

  @Test
  void failedProbe_opensAgainForAFullCoolDown() {
    open();
    clock.advance(Duration.ofSeconds(30));
    assertThat(breaker.tryPass()).isTrue();
    breaker.onFailure();
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    clock.advance(Duration.ofSeconds(29));
    assertThat(breaker.tryPass()).isFalse();
  }

  @Test
  void abandonedProbe_letsTheNextRequestProbe() {
    open();
    clock.advance(Duration.ofSeconds(30));
    assertThat(breaker.tryPass()).isTrue();
    breaker.onAbandoned();
    assertThat(breaker.tryPass()).isTrue();
  }

  private void open() {
    breaker.onFailure();
    breaker.onFailure();
    breaker.onFailure();
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void transitions_oneWarnLineEach_notOnePerRefusedRequest() {
    CircuitBreaker named = new CircuitBreaker("http://mirror.example:80", clock, 3, Duration.ofSeconds(30));
    try (dev.reprox.server.testing.CapturedLog log = new dev.reprox.server.testing.CapturedLog(CircuitBreaker.class)) {
      for (int i = 0; i < 5; i++) {
        named.onFailure(); // opens at the third; the next two change nothing
      }
      for (int i = 0; i < 10; i++) {
        assertThat(named.tryPass()).isFalse();
      }
      clock.advance(Duration.ofSeconds(30));
      assertThat(named.tryPass()).isTrue();
      named.onFailure(); // the probe fails: open again
      clock.advance(Duration.ofSeconds(30));
      assertThat(named.tryPass()).isTrue();
      named.onSuccess();
      named.onSuccess();

      assertThat(log.warnings()).containsExactly(
          "breaker for http://mirror.example:80 opened: 3 consecutive failures; requests to it fail at once (503)"
              + " for 30 s",
          "breaker for http://mirror.example:80 opened: the probe request failed; requests to it fail at once (503)"
              + " for 30 s",
          "breaker for http://mirror.example:80 closed: a request succeeded, requests go out again");
      assertThat(log.lines(ch.qos.logback.classic.Level.INFO)).hasSize(2).allSatisfy(line ->
          assertThat(line).contains("half-open"));
    }
  }
}
