package dev.reprox.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.fetch.FetchRequest;
import dev.reprox.server.LogSafe;
import dev.reprox.server.fetch.Fetched;
import dev.reprox.storage.BuildEntry;
import dev.reprox.storage.BuildLabel;
import dev.reprox.storage.BuildRecords;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import dev.reprox.server.lock.BuildRecordJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the persistent build records ({@link BuildRecords}): every answer with a content address
 * served to a labelled build. Called on the event loop, it never blocks: the write goes to the
 * storage executor, after the body settled when it was still filling (a fill's digest is known
 * once committed). A repeat of the same answer within a minute is not written again, so a build
 * that asks a path a thousand times costs one write. A full storage queue drops the record (a
 * record must never slow down the answer); the {@code reprox_build_records_dropped_total} counter
 * says so.
 */
final class BuildRecorder {
  private static final Logger log = LoggerFactory.getLogger(BuildRecorder.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WARN_EVERY = Duration.ofMinutes(1);

  private final Storage storage;
  private final BuildRecords records;
  private final java.util.Map<String, dev.reprox.config.RepositoryConfig> repositories;
  private final ReproxConfig.Builds settings;
  private final Clock clock;
  private final Executor storageExecutor;
  private final Cache<String, Boolean> recent =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofMinutes(1)).build();
  private final Counter refused;
  private final Counter dropped;
  private final AtomicLong lastWarn = new AtomicLong(Long.MIN_VALUE);

  BuildRecorder(Storage storage, ReproxConfig config, Clock clock, Executor storageExecutor,
      MeterRegistry registry) {
    this.storage = storage;
    this.records = storage.builds();
    this.repositories = config.repositories();
    this.settings = config.builds();
    this.clock = clock;
    this.storageExecutor = storageExecutor;
    this.refused = Counter.builder("reprox.build.labels.refused")
        .description("build-record entries not written because builds.max-labels labels are held").register(registry);
    this.dropped = Counter.builder("reprox.build.records.dropped")
        .description("build-record entries not written: storage queue full or a storage failure").register(registry);
  }

  /** {@code label} was answered {@code fetched} for {@code request}. Never blocks. */
  void served(String label, FetchRequest request, Fetched fetched, boolean isPackage) {
    if (fetched.digest().isPresent()) {
      submit(label, request, fetched, isPackage);
    } else {
      // Still filling (or relayed, never stored: then there is nothing a lockfile could name).
      fetched.settled().thenRun(() -> {
        if (fetched.digest().isPresent()) {
          submit(label, request, fetched, isPackage);
        }
      });
    }
  }

  private void submit(String label, FetchRequest request, Fetched fetched, boolean isPackage) {
    Digest sha = fetched.digest().orElseThrow();
    String at = request.at().map(Instant::toString).orElse("live");
    String key = label + '\n' + request.repository().name() + '\n' + at + '\n' + request.path() + '\n' + sha.hex();
    if (recent.asMap().putIfAbsent(key, Boolean.TRUE) != null) {
      return;
    }
    var p = fetched.provenance();
    String prefix = request.repository().name() + "/";
    Optional<String> root = p.pinnedRoot().map(r -> r.startsWith(prefix) ? r.substring(prefix.length()) : r);
    BuildEntry entry = new BuildEntry(label, request.repository().name(), request.at(), request.path(), root,
        p.generation(), p.publishedAt(), sha, Math.max(0, fetched.length()), p.pin(), isPackage, clock.instant());
    try {
      storageExecutor.execute(() -> write(entry, key));
    } catch (RejectedExecutionException e) {
      recent.invalidate(key);
      dropped.increment();
    }
  }

  private void write(BuildEntry entry, String key) {
    try {
      BuildRecords.Outcome outcome = records.record(entry, settings.maxLabels());
      if (outcome == BuildRecords.Outcome.LABELS_FULL) {
        refused.increment();
        recent.invalidate(key);
        long now = clock.millis();
        long last = lastWarn.get();
        if (now - last >= WARN_EVERY.toMillis() && lastWarn.compareAndSet(last, now)) {
          log.warn("builds: label {} not recorded: {} labels are held (builds.max-labels); held records are never"
              + " pushed out, they expire after {} unused or are deleted with DELETE /-/api/admin/builds/<label>",
              LogSafe.escape(entry.label()), settings.maxLabels(), settings.retention());
        }
      }
    } catch (IOException | RuntimeException e) {
      recent.invalidate(key);
      dropped.increment();
      log.warn("builds: record {} {} for label {} failed: {}", entry.repo(), LogSafe.escape(entry.path()),
          LogSafe.escape(entry.label()), e.getMessage());
    }
  }

  /** Deletes records unused for the retention. Blocks (storage). */
  int expire() throws IOException {
    int n = records.expire(clock.instant().minus(settings.retention()));
    if (n > 0) {
      log.info("builds: deleted {} build records unused for {} (builds.retention)", n, settings.retention());
    }
    return n;
  }

  /** Blocks (storage). */
  Optional<BuildLabel> forget(String label) throws IOException {
    recent.asMap().keySet().removeIf(k -> k.startsWith(label + '\n'));
    return records.delete(label);
  }

  /** Every persisted entry of {@code label}, or empty when no record is held. Blocks (storage). */
  Optional<java.util.List<BuildEntry>> entries(String label) throws IOException {
    return records.label(label).isPresent() ? Optional.of(records.entries(label)) : Optional.empty();
  }

  /** The persisted records' heads, for {@code GET /-/api/builds}. Blocks (storage). */
  ArrayNode heads() throws IOException {
    ArrayNode out = JSON.createArrayNode();
    for (BuildLabel l : records.labels()) {
      head(out.addObject(), l);
    }
    return out;
  }

  ReproxConfig.Builds settings() {
    return settings;
  }

  /** {@code GET /-/api/builds/<label>}: its head and every entry, or empty. Blocks (storage). */
  Optional<String> json(String label) throws IOException {
    return BuildRecordJson.render(storage, repositories, label).map(BuildRecorder::write);
  }

  static void head(ObjectNode o, BuildLabel l) {
    BuildRecordJson.head(o, l);
  }

  static String write(ObjectNode root) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException("write build record", e);
    }
  }
}
