package dev.reprox.server.upstream;

import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closed → (N consecutive failures) → open → (cool-down over, next request) → half-open, which
 * lets exactly one probe through: its success closes the breaker, its failure opens it again.
 * Time is read from the injected clock when a request asks, so no timer is needed. Each
 * transition is one log line (WARN for opening and closing), never one per request it refuses.
 */
final class CircuitBreaker {
  private static final Logger log = LoggerFactory.getLogger(CircuitBreaker.class);

  /** The gauge value is the ordinal: 0 closed, 1 open, 2 half-open. */
  enum State { CLOSED, OPEN, HALF_OPEN }

  private final String origin;
  private final Clock clock;
  private final int threshold;
  private final long coolDownMillis;
  private State state = State.CLOSED;
  private int failures;
  private long openedAt;

  CircuitBreaker(Clock clock, int threshold, Duration coolDown) {
    this("upstream", clock, threshold, coolDown);
  }

  /** {@code origin} names the host in the transition log lines. */
  CircuitBreaker(String origin, Clock clock, int threshold, Duration coolDown) {
    this.origin = origin;
    this.clock = clock;
    this.threshold = threshold;
    this.coolDownMillis = coolDown.toMillis();
  }

  /** May an attempt go out now? Turning open into half-open makes the caller the probe. */
  boolean tryPass() {
    synchronized (this) {
      switch (state) {
        case CLOSED:
          return true;
        case OPEN:
          if (clock.millis() - openedAt < coolDownMillis) {
            return false;
          }
          state = State.HALF_OPEN;
          break;
        default:
          return false; // half-open: the one probe is already out
      }
    }
    log.info("breaker for {} half-open: cool-down over, one probe request goes out", origin);
    return true;
  }

  void onSuccess() {
    State was;
    synchronized (this) {
      was = state;
      failures = 0;
      state = State.CLOSED;
    }
    if (was != State.CLOSED) {
      log.warn("breaker for {} closed: a request succeeded, requests go out again", origin);
    }
  }

  void onFailure() {
    State was;
    int count;
    synchronized (this) {
      was = state;
      failures++;
      count = failures;
      if (state == State.HALF_OPEN || failures >= threshold) {
        state = State.OPEN;
        openedAt = clock.millis();
      }
      if (state != State.OPEN || was == State.OPEN) {
        return;
      }
    }
    log.warn("breaker for {} opened: {}; requests to it fail at once (503) for {} s", origin,
        was == State.HALF_OPEN ? "the probe request failed" : count + " consecutive failures", coolDownMillis / 1000);
  }

  /**
   * A failure that proves the host down by itself (a snapshot server refusing or not answering a
   * connect): the breaker opens without waiting for more, and its one line names {@code why}.
   */
  void openNow(String why) {
    State was;
    synchronized (this) {
      was = state;
      failures++;
      state = State.OPEN;
      openedAt = clock.millis();
      if (was == State.OPEN) {
        return;
      }
    }
    log.warn("breaker for {} opened: {}; requests to it fail at once (503) for {} s", origin, why,
        coolDownMillis / 1000);
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
