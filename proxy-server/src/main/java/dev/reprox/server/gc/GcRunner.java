package dev.reprox.server.gc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collections in a running server: one at a time, on a thread of their own (never an event loop
 * or the storage executor, which keep serving), started by the admin API or by
 * {@code retention.schedule}. Keeps the last report for the API, the status page and the metrics
 * {@code reprox_gc_last_reclaimed_bytes}, {@code reprox_gc_last_deleted_bytes},
 * {@code reprox_gc_last_duration_seconds} and {@code reprox_gc_last_run_timestamp_seconds}.
 */
public final class GcRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GcRunner.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the last finished collection said; {@code report} is null when it failed. */
  public record Outcome(long run, GcReport report, String error, Instant finished) {}

  private final Function<Boolean, Collector> collectors;
  private final ScheduledExecutorService thread;
  private final AtomicLong runs = new AtomicLong();
  private final AtomicReference<Long> running = new AtomicReference<>();
  private final AtomicReference<Outcome> last = new AtomicReference<>();
  private final java.time.Clock clock;

  /**
   * @param collectors a new {@link Collector} for a dry run (true) or a real one (false)
   * @param schedule how often to collect by itself, or empty for never
   * @param thread the single thread collections run on (the server's {@code ThreadPools#gc()});
   *     closing the runner shuts it down
   * @param clock stamps each outcome
   */
  public GcRunner(Function<Boolean, Collector> collectors, Optional<Duration> schedule, MeterRegistry registry,
      ScheduledExecutorService thread, java.time.Clock clock) {
    this.collectors = collectors;
    this.clock = clock;
    this.thread = thread;
    Gauge.builder("reprox.gc.last.reclaimed.bytes", this, g -> g.lastReport().map(GcReport::reclaimedDiskBytes).orElse(0L))
        .description("bytes the data directory shrank by in the last collection").baseUnit("bytes").register(registry);
    Gauge.builder("reprox.gc.last.deleted.bytes", this, g -> g.lastReport().map(GcReport::bytes).orElse(0L))
        .description("bytes of the blobs the last collection deleted").baseUnit("bytes").register(registry);
    Gauge.builder("reprox.gc.last.duration", this,
            g -> g.lastReport().map(r -> r.took().toNanos() / 1e9).orElse(0.0))
        .description("how long the last collection took").baseUnit("seconds").register(registry);
    Gauge.builder("reprox.gc.last.run.timestamp", this,
            g -> Optional.ofNullable(g.last.get()).map(o -> o.finished().getEpochSecond()).orElse(0L))
        .description("when the last collection finished (epoch seconds; 0: never)").baseUnit("seconds")
        .register(registry);
    schedule.ifPresent(every -> thread.scheduleWithFixedDelay(() -> start(false), every.toMillis(), every.toMillis(),
        TimeUnit.MILLISECONDS));
  }

  private Optional<GcReport> lastReport() {
    return Optional.ofNullable(last.get()).map(Outcome::report);
  }

  /** Starts a collection; returns its run number, or empty when one is running already. */
  public synchronized Optional<Long> start(boolean dryRun) {
    if (running.get() != null) {
      return Optional.empty();
    }
    long run = runs.incrementAndGet();
    running.set(run);
    try {
      thread.execute(() -> collect(run, dryRun));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      running.set(null);
      return Optional.empty();
    }
    return Optional.of(run);
  }

  private void collect(long run, boolean dryRun) {
    try {
      GcReport report = collectors.apply(dryRun).run();
      log.info("{} (run {})", report.summary(), run);
      last.set(new Outcome(run, report, null, clock.instant()));
    } catch (Exception | Error e) {
      log.warn("gc: run {} failed: {}", run, e.toString());
      last.set(new Outcome(run, null, e.getMessage() == null ? e.toString() : e.getMessage(), clock.instant()));
    } finally {
      running.set(null);
    }
  }

  public Optional<Outcome> last() {
    return Optional.ofNullable(last.get());
  }

  public Optional<Long> running() {
    return Optional.ofNullable(running.get());
  }

  /** The state for {@code GET /-/api/admin/gc}. */
  public String json() {
    ObjectNode o = JSON.createObjectNode();
    running().ifPresentOrElse(r -> o.put("running", r), () -> o.putNull("running"));
    last().ifPresent(l -> {
      ObjectNode n = o.putObject("last");
      n.put("run", l.run());
      n.put("finished", l.finished().toString());
      if (l.error() != null) {
        n.put("error", l.error());
      }
      if (l.report() != null) {
        GcReport r = l.report();
        n.put("dryRun", r.dryRun());
        n.put("started", r.started().toString());
        n.put("tookMillis", r.took().toMillis());
        n.put("generations", r.generations());
        n.put("pathEntries", r.pathEntries());
        n.put("refs", r.refs());
        n.put("aliases", r.aliases());
        n.put("blobs", r.blobs());
        n.put("bytes", r.bytes());
        n.put("keptBlobs", r.keptBlobs());
        n.put("keptBytes", r.keptBytes());
        n.put("diskBefore", r.diskBefore());
        n.put("diskAfter", r.diskAfter());
        n.put("summary", r.summary());
      }
    });
    return o + "\n";
  }

  /** One line for the status page. */
  public String describe() {
    Optional<Long> now = running();
    Optional<Outcome> l = last();
    String lastText = l.map(o -> o.report() == null ? o.finished() + ": failed: " + o.error()
        : o.finished() + (o.report().dryRun() ? " (dry run): " : ": ") + o.report().summary()).orElse("never");
    return now.isPresent() ? "running (run " + now.get() + "); last: " + lastText : lastText;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
