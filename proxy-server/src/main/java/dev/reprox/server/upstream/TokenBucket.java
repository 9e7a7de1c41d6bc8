package dev.reprox.server.upstream;

import java.time.Clock;

/**
 * A token bucket that hands out reservations instead of refusals: {@link #reserve()} takes a
 * token now, even one that has not refilled yet, and answers how long the caller must wait for
 * it. Debt queues later callers behind earlier ones, so one scheduled delay per attempt is
 * enough — no polling, no retry loop.
 */
final class TokenBucket {
  private final Clock clock;
  private final double perMilli;
  private final double burst;
  private double tokens;
  private long lastMillis;

  TokenBucket(Clock clock, double ratePerSecond, int burst) {
    this.clock = clock;
    this.perMilli = ratePerSecond / 1000.0;
    this.burst = burst;
    this.tokens = burst;
    this.lastMillis = clock.millis();
  }

  /** Takes one token; returns the milliseconds until it is really there (0 = go now). */
  synchronized long reserve() {
    long now = clock.millis();
    tokens = Math.min(burst, tokens + (now - lastMillis) * perMilli);
    lastMillis = now;
    tokens -= 1;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perMilli);
  }
}
