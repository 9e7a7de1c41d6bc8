package dev.reprox.server.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Request timers by repository, outcome ({@code hit}, {@code miss}, an error kind such as
 * {@code not_found}, or {@code aborted}), kind of path ({@code root}, {@code listing},
 * {@code package}, {@code other}) and status class ({@code 2xx}..{@code 5xx}, {@code none} when
 * no status went out), and bytes served by repository and cache outcome. Repository is {@code -}
 * for requests that named none (admin, rejected paths).
 *
 * <p>The timer is a histogram with fixed buckets from 1 ms to 60 s, so latency quantiles can be
 * aggregated across instances ({@code histogram_quantile}); its {@code _count} is the request
 * counter by status class. The {@code kind} tag lets a hit ratio leave out root indexes, whose
 * "hits" are revalidations within root-ttl rather than bytes the upstream was spared.
 */
final class RequestMetrics {
  static final Duration[] BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
      Duration.ofSeconds(30), Duration.ofSeconds(60)};

  private final MeterRegistry registry;

  RequestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(String repository, String outcome, String kind, int status, long nanos) {
    Timer.builder("reprox.requests")
        .description("requests by repository, outcome, kind of path and status class")
        .tag("repository", repository)
        .tag("outcome", outcome)
        .tag("kind", kind)
        .tag("status", statusClass(status))
        .serviceLevelObjectives(BUCKETS)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** {@code 2xx} for 200..299 and so on; {@code none} when no response status was sent. */
  static String statusClass(int status) {
    return status >= 100 && status < 600 ? (status / 100) + "xx" : "none";
  }

  /** A connection refused for {@code max-connections}: {@code closed} at accept, or answered {@code 503}. */
  void refusedConnection(String how) {
    Counter.builder("reprox.connections.refused")
        .description("connections refused because max-connections was reached, by how")
        .tag("how", how)
        .register(registry)
        .increment();
  }

  /**
   * Body bytes sent, by where they came from: {@code hit} bytes were read from the store (the
   * upstream bytes saved), {@code miss} bytes streamed from an upstream fill, {@code none} others.
   */
  void served(String repository, String outcome, long bytes) {
    if (bytes > 0) {
      Counter.builder("reprox.served.bytes")
          .description("body bytes sent to clients, by repository and cache outcome (hit: from the store)")
          .baseUnit("bytes")
          .tag("repository", repository)
          .tag("outcome", outcome)
          .register(registry)
          .increment(bytes);
    }
  }
}
