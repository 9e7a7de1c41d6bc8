package dev.reprox.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Politeness overrides for one upstream host ({@code upstreams."<scheme://host[:port]>"}). Every
 * field is optional: an absent one keeps the server's default for that kind of host (snapshot
 * servers 2 at a time, mirrors 8; see the server's {@code HostPolicy}).
 *
 * @param origin {@code scheme://host} or {@code scheme://host:port}, lower case, no path
 * @param concurrency requests in flight at once ({@code concurrency})
 * @param rate new requests per second ({@code rate})
 * @param burst requests back to back after a quiet spell ({@code burst})
 * @param retries retries after the first attempt ({@code retries})
 * @param backoff shortest wait before a retry ({@code backoff})
 * @param backoffMax longest wait before a retry ({@code backoff-max})
 * @param maxRetryAfter longest {@code Retry-After} honoured ({@code max-retry-after})
 * @param breakerFailures consecutive failures that open the breaker ({@code breaker-failures})
 * @param breakerCoolDown how long an open breaker fails fast ({@code breaker-cool-down})
 * @param minRate bytes per second a body must average over {@code minRateWindow}, or be cut
 *     ({@code min-rate}, e.g. {@code 1KiB/s}; 0 is {@code off})
 * @param minRateWindow the span that average is taken over ({@code min-rate-window})
 */
public record UpstreamConfig(
    String origin,
    OptionalInt concurrency,
    OptionalDouble rate,
    OptionalInt burst,
    OptionalInt retries,
    Optional<Duration> backoff,
    Optional<Duration> backoffMax,
    Optional<Duration> maxRetryAfter,
    OptionalInt breakerFailures,
    Optional<Duration> breakerCoolDown,
    OptionalLong minRate,
    Optional<Duration> minRateWindow) {

  public UpstreamConfig {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(minRate, "minRate");
    Objects.requireNonNull(minRateWindow, "minRateWindow");
  }

  /** The fields before {@code min-rate} existed; the rate fields stay unset (server defaults). */
  public UpstreamConfig(String origin, OptionalInt concurrency, OptionalDouble rate, OptionalInt burst,
      OptionalInt retries, Optional<Duration> backoff, Optional<Duration> backoffMax,
      Optional<Duration> maxRetryAfter, OptionalInt breakerFailures, Optional<Duration> breakerCoolDown) {
    this(origin, concurrency, rate, burst, retries, backoff, backoffMax, maxRetryAfter, breakerFailures,
        breakerCoolDown, OptionalLong.empty(), Optional.empty());
  }
}
