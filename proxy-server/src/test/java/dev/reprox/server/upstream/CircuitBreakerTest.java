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
}
