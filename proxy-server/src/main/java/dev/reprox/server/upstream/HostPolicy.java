package dev.reprox.server.upstream;

import java.time.Duration;
import java.util.Objects;

/**
 * How politely one upstream host is treated. Snapshot servers are small, shared and rate
 * limited ({@link #snapshotServer()}: 2 at a time); mirrors are CDNs ({@link #mirror()}: 8).
 *
 * @param concurrency requests in flight at once, each counted until its body ends
 * @param ratePerSecond token bucket refill rate: new requests (attempts) per second
 * @param burst token bucket size: attempts allowed back to back after a quiet spell
 * @param maxRetries retries after the first attempt (429, 5xx, connect errors, timeouts)
 * @param backoffBase the shortest wait before a retry; the ceiling doubles on each retry
 * @param backoffMax the longest wait before a retry
 * @param maxRetryAfter a server's {@code Retry-After} is honoured up to this; longer → give up
 * @param breakerFailures consecutive failures (5xx, connect errors, timeouts; not 4xx) that open
 *     the breaker
 * @param breakerCoolDown how long an open breaker fails requests fast before one probe may pass
 * @param minBytesPerSecond a body whose average rate over {@code minRateWindow} falls below this is
 *     cut ({@link UpstreamTooSlowException}); 0 turns the check off
 * @param minRateWindow the span that average is taken over; a body shorter than this is never judged
 * @param connectTimeout how long one connection attempt to this host may take; zero means the
 *     client's own (the header timeout). A snapshot server's is short: it is asked only for what
 *     the live root cannot prove, and a host that does not answer a SYN in 2 s is down
 * @param connectFailFast a failed connect (refused, timed out, unresolvable) is not retried and
 *     opens the breaker at once: while the host is down, a request costs one short attempt per
 *     breaker window, not {@code maxRetries} backoffs (9 s against an unreachable
 *     snapshot.debian.org before the live root could answer)
 */
public record HostPolicy(
    int concurrency,
    double ratePerSecond,
    int burst,
    int maxRetries,
    Duration backoffBase,
    Duration backoffMax,
    Duration maxRetryAfter,
    int breakerFailures,
    Duration breakerCoolDown,
    long minBytesPerSecond,
    Duration minRateWindow,
    Duration connectTimeout,
    boolean connectFailFast) {

  public HostPolicy {
    Objects.requireNonNull(backoffBase, "backoffBase");
    Objects.requireNonNull(backoffMax, "backoffMax");
    Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
    Objects.requireNonNull(breakerCoolDown, "breakerCoolDown");
    require(concurrency >= 1, "concurrency must be at least 1, got " + concurrency);
    require(ratePerSecond > 0, "rate must be positive, got " + ratePerSecond);
    require(burst >= 1, "burst must be at least 1, got " + burst);
    require(maxRetries >= 0, "retries must not be negative, got " + maxRetries);
    require(!backoffBase.isNegative() && backoffMax.compareTo(backoffBase) >= 0,
        "backoff must be base <= max, got " + backoffBase + ".." + backoffMax);
    require(!maxRetryAfter.isNegative(), "max retry-after must not be negative");
    require(breakerFailures >= 1, "breaker failures must be at least 1, got " + breakerFailures);
    require(!breakerCoolDown.isNegative(), "breaker cool-down must not be negative");
    Objects.requireNonNull(minRateWindow, "minRateWindow");
    require(minBytesPerSecond >= 0, "min rate must not be negative, got " + minBytesPerSecond);
    require(minRateWindow.toMillis() >= 100, "min-rate window must be at least 100 ms, got " + minRateWindow);
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    require(!connectTimeout.isNegative(), "connect timeout must not be negative, got " + connectTimeout);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("host policy: " + message);
    }
  }

  /**
   * snapshot.debian.org and friends: 2 at a time, 5/s, burst 10, breaker 5 failures / 30 s, bodies
   * below 1 KiB/s over a minute cut; a 2 s connect timeout, and a failed connect opens the breaker
   * without a retry.
   */
  public static HostPolicy snapshotServer() {
    return builder().connectTimeout(SNAPSHOT_CONNECT_TIMEOUT).connectFailFast(true).build();
  }

  /**
   * A mirror or CDN: 8 at a time, 50/s, burst 100, the client's connect timeout, connect errors
   * retried like any other; otherwise as {@link #snapshotServer()}.
   */
  public static HostPolicy mirror() {
    return builder().concurrency(8).ratePerSecond(50).burst(100).build();
  }

  private static final Duration SNAPSHOT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /**
   * Starts from the snapshot-server defaults, except that connects use the client's timeout and
   * are retried ({@link #snapshotServer()} sets both).
   */
  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().concurrency(concurrency).ratePerSecond(ratePerSecond).burst(burst)
        .maxRetries(maxRetries).backoff(backoffBase, backoffMax).maxRetryAfter(maxRetryAfter)
        .breaker(breakerFailures, breakerCoolDown).minRate(minBytesPerSecond, minRateWindow)
        .connectTimeout(connectTimeout).connectFailFast(connectFailFast);
  }

  /** Defaults are the snapshot-server policy, but for the connect settings. */
  public static final class Builder {
    private int concurrency = 2;
    private double ratePerSecond = 5;
    private int burst = 10;
    private int maxRetries = 4;
    private Duration backoffBase = Duration.ofMillis(500);
    private Duration backoffMax = Duration.ofSeconds(30);
    private Duration maxRetryAfter = Duration.ofSeconds(60);
    private int breakerFailures = 5;
    private Duration breakerCoolDown = Duration.ofSeconds(30);
    // Far below any working mirror or snapshot server (a 151 KB InRelease would take 2.5 min),
    // and a minute long, so a few seconds' stall of a healthy host is never judged.
    private long minBytesPerSecond = 1024;
    private Duration minRateWindow = Duration.ofSeconds(60);
    private Duration connectTimeout = Duration.ZERO;
    private boolean connectFailFast;

    private Builder() {}

    public Builder concurrency(int n) {
      this.concurrency = n;
      return this;
    }

    public Builder ratePerSecond(double rate) {
      this.ratePerSecond = rate;
      return this;
    }

    public Builder burst(int n) {
      this.burst = n;
      return this;
    }

    public Builder maxRetries(int n) {
      this.maxRetries = n;
      return this;
    }

    public Builder backoff(Duration base, Duration max) {
      this.backoffBase = base;
      this.backoffMax = max;
      return this;
    }

    public Builder maxRetryAfter(Duration max) {
      this.maxRetryAfter = max;
      return this;
    }

    public Builder breaker(int failures, Duration coolDown) {
      this.breakerFailures = failures;
      this.breakerCoolDown = coolDown;
      return this;
    }

    /** Bodies averaging below {@code bytesPerSecond} over {@code window} are cut; 0 turns it off. */
    public Builder minRate(long bytesPerSecond, Duration window) {
      this.minBytesPerSecond = bytesPerSecond;
      this.minRateWindow = window;
      return this;
    }

    /** One connection attempt's limit; zero keeps the client's own. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    /** Whether a failed connect skips the retries and opens the breaker at once. */
    public Builder connectFailFast(boolean failFast) {
      this.connectFailFast = failFast;
      return this;
    }

    public HostPolicy build() {
      return new HostPolicy(concurrency, ratePerSecond, burst, maxRetries, backoffBase, backoffMax,
          maxRetryAfter, breakerFailures, breakerCoolDown, minBytesPerSecond, minRateWindow, connectTimeout,
          connectFailFast);
    }
  }
}
