package dev.reprox.server.fetch;

import static dev.reprox.server.LogSafe.escape;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.reprox.pinning.Resolution;
import dev.reprox.pinning.TimeSpec;
import dev.reprox.storage.Generation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the honesty of answers at T visible beyond the {@code X-Reprox-Pin} header (issue 9): a
 * counter {@code reprox_pins_total{repo,status}} of pin decisions used to answer requests, and one
 * WARN line per (repository, root, T) answered {@code first-use} or {@code unproven}, saying which
 * generation was served and why it is not proven. The line is written once, not per request: the
 * keys already warned about are kept in a bounded cache (past its bound, a key forgotten may be
 * warned about again, which is the lesser harm). Also keeps, per (repository, root, T), what the
 * resolver's ask of the snapshot server came to, for that line's "why".
 */
public final class PinReporter {
  private static final Logger log = LoggerFactory.getLogger(PinReporter.class);
  static final int CAPACITY = 10_000;

  private final MeterRegistry registry;
  private final Cache<String, Boolean> warned = Caffeine.newBuilder().maximumSize(CAPACITY).build();
  private final Cache<String, String> snapshotNotes = Caffeine.newBuilder().maximumSize(CAPACITY).build();

  /** {@code registry}: null counts nothing. */
  public PinReporter(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Counts one pin decision used for a request ({@code live}, {@code proven}, {@code unproven},
   * {@code first-use}); warns once per key when it is not proven.
   */
  public void answered(Resolution res) {
    count(res.repo(), res.headerValue());
    if (res.status() != Resolution.Status.UNPROVEN && res.status() != Resolution.Status.FIRST_USE) {
      return;
    }
    String key = key(res.repo(), res.root(), res.at());
    if (warned.asMap().putIfAbsent(key, Boolean.TRUE) != null) {
      return;
    }
    Generation g = res.generation().orElseThrow();
    log.warn("pin {} {} @{}: serving {} generation {} published {}: {}", res.repo(), escape(res.root()),
        TimeSpec.format(res.at()), res.headerValue(), g.digest(), g.publishedAt(), escape(why(res, g)));
  }

  /** Counts a strict-mode refusal (503) as status {@code refused}. */
  public void refused(String repo) {
    count(repo, "refused");
  }

  /** What asking the snapshot server for (repo, root, T) came to. */
  public void snapshotAsked(String repo, String root, Instant t, String outcome) {
    snapshotNotes.put(key(repo, root, t), outcome);
  }

  private String why(Resolution res, Generation g) {
    StringBuilder sb = new StringBuilder(res.status() == Resolution.Status.FIRST_USE
        ? "no generation published at or before T was ever observed; this is the earliest one known, published after T"
        : "its last observation was at " + g.lastFetchedAt() + ", before T, so a newer generation may have been"
            + " current at T");
    String snapshot = snapshotNotes.getIfPresent(key(res.repo(), res.root(), res.at()));
    if (res.pinnedNow()) {
      sb.append("; ").append(snapshot != null ? snapshot : "the snapshot server was not asked");
    } else {
      Optional<Instant> pinnedAt = res.pin().map(p -> p.pinnedAt());
      sb.append("; pinned so at ").append(pinnedAt.map(Instant::toString).orElse("?"));
      if (snapshot != null) {
        sb.append(" (").append(snapshot).append(')');
      }
    }
    return sb.toString();
  }

  private void count(String repo, String status) {
    if (registry != null) {
      Counter.builder("reprox.pins")
          .description("pin decisions used to answer requests (one per request and root index consulted), by status:"
              + " live, proven, unproven, first-use, refused (strict 503)")
          .tag("repo", repo).tag("status", status).register(registry).increment();
    }
  }

  private static String key(String repo, String root, Instant t) {
    return repo + ' ' + root + ' ' + t;
  }

  /** For tests: how many warned keys are remembered (after {@link #cleanUp()}). */
  public long warnedSize() {
    return warned.estimatedSize();
  }

  public void cleanUp() {
    warned.cleanUp();
  }
}
