package dev.reprox.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

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
    Optional<Duration> breakerCoolDown) {

  public UpstreamConfig {
    Objects.requireNonNull(origin, "origin");
  }
}
