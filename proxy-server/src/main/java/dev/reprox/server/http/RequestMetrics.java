package dev.reprox.server.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
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
  private static final String[] STATUS_CLASSES = {null, "1xx", "2xx", "3xx", "4xx", "5xx"};

  private final MeterRegistry registry;
  // The meters by their tag values, looked up once: a builder and a registry lookup per request
  // (tags sorted, an id built and hashed) cost a warm hit more than its metrics are worth. The
  // tags take few values (repositories, outcomes, kinds, status classes), as in the registry.
  private final ConcurrentHashMap<TimerTags, Timer> timers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ServedTags, Counter> served = new ConcurrentHashMap<>();

  // hashCode and equals written out: a record's go through method handles, seen in the profile.
  private record TimerTags(String repository, String outcome, String kind, String status) {
    @Override
    public int hashCode() {
      return ((repository.hashCode() * 31 + outcome.hashCode()) * 31 + kind.hashCode()) * 31 + status.hashCode();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof TimerTags t && repository.equals(t.repository) && outcome.equals(t.outcome)
          && kind.equals(t.kind) && status.equals(t.status);
    }
  }

  private record ServedTags(String repository, String outcome) {
    @Override
    public int hashCode() {
      return repository.hashCode() * 31 + outcome.hashCode();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ServedTags t && repository.equals(t.repository) && outcome.equals(t.outcome);
    }
  }

  RequestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(String repository, String outcome, String kind, int status, long nanos) {
    TimerTags tags = new TimerTags(repository, outcome, kind, statusClass(status));
    Timer timer = timers.get(tags);
    if (timer == null) {
      timer = timers.computeIfAbsent(tags, this::timer);
    }
    timer.record(nanos, TimeUnit.NANOSECONDS);
  }

  private Timer timer(TimerTags t) {
    return Timer.builder("reprox.requests")
        .description("requests by repository, outcome, kind of path and status class")
        .tag("repository", t.repository())
        .tag("outcome", t.outcome())
        .tag("kind", t.kind())
        .tag("status", t.status())
        .serviceLevelObjectives(BUCKETS)
        .register(registry);
  }

  /** {@code 2xx} for 200..299 and so on; {@code none} when no response status was sent. */
  static String statusClass(int status) {
    return status >= 100 && status < 600 ? STATUS_CLASSES[status / 100] : "none";
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
      ServedTags tags = new ServedTags(repository, outcome);
      Counter counter = served.get(tags);
      if (counter == null) {
        counter = served.computeIfAbsent(tags, t -> Counter.builder("reprox.served.bytes")
            .description("body bytes sent to clients, by repository and cache outcome (hit: from the store)")
            .baseUnit("bytes")
            .tag("repository", t.repository())
            .tag("outcome", t.outcome())
            .register(registry));
      }
      counter.increment(bytes);
    }
  }
}
