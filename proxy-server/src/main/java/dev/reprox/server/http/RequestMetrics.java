package dev.reprox.server.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Request counters and timers by repository and outcome ({@code hit}, {@code miss}, an error
 * kind such as {@code not_found}, or {@code aborted}), and bytes served by repository.
 * Repository is {@code -} for requests that named none (admin, rejected paths).
 */
final class RequestMetrics {
  private final MeterRegistry registry;

  RequestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(String repository, String outcome, long nanos) {
    Timer.builder("reprox.requests")
        .description("requests by repository and outcome")
        .tag("repository", repository)
        .tag("outcome", outcome)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A connection refused for {@code max-connections}: {@code closed} at accept, or answered {@code 503}. */
  void refusedConnection(String how) {
    Counter.builder("reprox.connections.refused")
        .description("connections refused because max-connections was reached, by how")
        .tag("how", how)
        .register(registry)
        .increment();
  }

  void served(String repository, long bytes) {
    if (bytes > 0) {
      Counter.builder("reprox.served.bytes")
          .description("body bytes sent to clients")
          .baseUnit("bytes")
          .tag("repository", repository)
          .register(registry)
          .increment(bytes);
    }
  }
}
