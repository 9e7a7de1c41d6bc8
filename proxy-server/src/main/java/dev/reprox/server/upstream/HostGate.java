package dev.reprox.server.upstream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Everything one upstream host ({@code scheme://host:port}) shares across requests: its policy,
 * its permits, its token bucket, its breaker, a host-wide pause set by {@code Retry-After}, and
 * its meters. One gate per origin, made on first use.
 */
final class HostGate {
  final String origin;
  final HostPolicy policy;
  final Permits permits;
  final TokenBucket bucket;
  final CircuitBreaker breaker;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Timer waitTimer;
  private final Counter bodyBytes;
  private volatile long pausedUntilMillis;
  /** The last attempts' outcomes for the status page ({@link #status()}); null until one happens. */
  private volatile java.time.Instant lastSuccess;
  private volatile java.time.Instant lastErrorAt;
  private volatile String lastError;

  HostGate(String origin, HostPolicy policy, Clock clock, MeterRegistry registry) {
    this.origin = origin;
    this.policy = policy;
    this.clock = clock;
    this.registry = registry;
    this.permits = new Permits(policy.concurrency());
    this.bucket = new TokenBucket(clock, policy.ratePerSecond(), policy.burst());
    this.breaker = new CircuitBreaker(origin, clock, policy.breakerFailures(), policy.breakerCoolDown());
    Gauge.builder("reprox.upstream.breaker.state", breaker, b -> b.state().ordinal())
        .description("circuit breaker per upstream host: 0 closed, 1 open, 2 half-open")
        .tag("host", origin)
        .strongReference(true)
        .register(registry);
    Gauge.builder("reprox.upstream.inflight", permits, Permits::held)
        .description("upstream requests holding a permit (headers or body in transfer)")
        .tag("host", origin)
        .strongReference(true)
        .register(registry);
    this.waitTimer = Timer.builder("reprox.upstream.wait")
        .description("time an attempt waited for a permit, a token and Retry-After pauses")
        .tag("host", origin)
        .register(registry);
    this.bodyBytes = Counter.builder("reprox.upstream.bytes")
        .description("body bytes received from upstream for each request's final answer"
            + " (the discarded body of a redirect, retry or error is not counted)")
        .baseUnit("bytes")
        .tag("host", origin)
        .register(registry);
  }

  /** {@code scheme://host:port}, lower case, with the default port filled in. */
  static String originOf(URI uri) {
    String scheme = uri.getScheme() == null ? "http" : uri.getScheme().toLowerCase(Locale.ROOT);
    int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    return scheme + "://" + host + ":" + port;
  }

  /** A server's Retry-After holds back every request to this host, not only the one it answered. */
  void pauseFor(long millis) {
    long until = clock.millis() + millis;
    synchronized (this) {
      pausedUntilMillis = Math.max(pausedUntilMillis, until);
    }
  }

  /** How long the next attempt must wait: its token, or the host-wide pause if that is later. */
  long delayBeforeSend() {
    long token = bucket.reserve();
    long pause = pausedUntilMillis - clock.millis();
    return Math.max(token, Math.max(0, pause));
  }

  /** What a cache saves is upstream traffic: count it where it arrives. */
  void received(long bytes) {
    bodyBytes.increment(bytes);
  }

  void recordWait(long millis) {
    waitTimer.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
  }

  /** One attempt's outcome: ok, not_modified, not_found, client_error, redirect, server_error, … */
  void outcome(String outcome) {
    outcome(outcome, null);
  }

  /**
   * One attempt's outcome, with a short detail for the status page (an HTTP status, an exception's
   * class name; never a URL). ok, not_modified, not_found and redirect are the host answering; anything else is
   * its last error.
   */
  void outcome(String outcome, String detail) {
    java.time.Instant now = clock.instant();
    if (outcome.equals("breaker_open")) {
      // Not an attempt: the host's last real error stays on the page, beside the breaker's state.
      count(outcome);
      return;
    }
    if (outcome.equals("ok") || outcome.equals("not_modified") || outcome.equals("not_found")
        || outcome.equals("redirect")) {
      lastSuccess = now;
    } else {
      synchronized (this) {
        lastErrorAt = now;
        lastError = detail == null ? outcome : outcome + ": " + detail;
      }
    }
    count(outcome);
  }

  private void count(String outcome) {
    Counter.builder("reprox.upstream.requests")
        .description("upstream attempts by host and outcome")
        .tag("host", origin)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  synchronized HostStatus status() {
    return new HostStatus(origin, breaker.state().name().toLowerCase(Locale.ROOT).replace('_', '-'), permits.held(),
        java.util.Optional.ofNullable(lastSuccess), java.util.Optional.ofNullable(lastErrorAt),
        java.util.Optional.ofNullable(lastError));
  }

  void retry(String reason) {
    Counter.builder("reprox.upstream.retries")
        .description("upstream retries by host and reason")
        .tag("host", origin)
        .tag("reason", reason)
        .register(registry)
        .increment();
  }
}
