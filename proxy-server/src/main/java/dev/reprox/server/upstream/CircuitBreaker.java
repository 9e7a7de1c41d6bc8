package dev.reprox.server.upstream;

import java.time.Clock;
import java.time.Duration;

/**
 * Closed → (N consecutive failures) → open → (cool-down over, next request) → half-open, which
 * lets exactly one probe through: its success closes the breaker, its failure opens it again.
 * Time is read from the injected clock when a request asks, so no timer is needed.
 */
final class CircuitBreaker {
  /** The gauge value is the ordinal: 0 closed, 1 open, 2 half-open. */
  enum State { CLOSED, OPEN, HALF_OPEN }

  private final Clock clock;
  private final int threshold;
  private final long coolDownMillis;
  private State state = State.CLOSED;
  private int failures;
  private long openedAt;

  CircuitBreaker(Clock clock, int threshold, Duration coolDown) {
    this.clock = clock;
    this.threshold = threshold;
    this.coolDownMillis = coolDown.toMillis();
  }

  /** May an attempt go out now? Turning open into half-open makes the caller the probe. */
  synchronized boolean tryPass() {
    switch (state) {
      case CLOSED:
        return true;
      case OPEN:
        if (clock.millis() - openedAt >= coolDownMillis) {
          state = State.HALF_OPEN;
          return true;
        }
        return false;
      default:
        return false; // half-open: the one probe is already out
    }
  }

  synchronized void onSuccess() {
    failures = 0;
    state = State.CLOSED;
  }

  synchronized void onFailure() {
    failures++;
    if (state == State.HALF_OPEN || failures >= threshold) {
      state = State.OPEN;
      openedAt = clock.millis();
    }
  }

  /**
   * An attempt that passed but ended neither way (the caller cancelled the body): a probe that
   * proved nothing gives its place back, so the breaker does not stay half-open forever.
   */
  synchronized void onAbandoned() {
    if (state == State.HALF_OPEN) {
      state = State.OPEN;
      openedAt = clock.millis() - coolDownMillis;
    }
  }

  synchronized State state() {
    return state;
  }
}
