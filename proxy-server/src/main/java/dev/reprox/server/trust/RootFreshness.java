package dev.reprox.server.trust;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code reprox.root.last.success.seconds{repo,root}}: when each root index was last fetched from
 * its upstream and verified (epoch seconds), so an alert can fire on {@code time() - x > N}. Only
 * roots actually fetched get a series: the cardinality is the roots in use, not every path.
 */
public final class RootFreshness {
  private final MeterRegistry registry;
  private final ConcurrentMap<String, AtomicLong> seconds = new ConcurrentHashMap<>();

  /** {@code registry}: null records nothing. */
  public RootFreshness(MeterRegistry registry) {
    this.registry = registry;
  }

  public void succeeded(String repo, String root, Instant at) {
    if (registry == null) {
      return;
    }
    seconds.computeIfAbsent(repo + '\n' + root, k -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder("reprox.root.last.success.seconds", value, AtomicLong::get)
          .description("epoch seconds of the last successful live fetch and verification of a root index")
          .tag("repo", repo).tag("root", root).register(registry);
      return value;
    }).set(at.getEpochSecond());
  }
}
