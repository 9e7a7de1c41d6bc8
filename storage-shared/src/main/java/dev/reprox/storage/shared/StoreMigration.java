package dev.reprox.storage.shared;

import dev.reprox.storage.Alias;
import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobReader;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.BuildLabel;
import dev.reprox.storage.Digest;
import dev.reprox.storage.DigestMismatchException;
import dev.reprox.storage.Generation;
import dev.reprox.storage.Observation;
import dev.reprox.storage.PathEntry;
import dev.reprox.storage.Pin;
import dev.reprox.storage.Ref;
import dev.reprox.storage.SizeMismatchException;
import dev.reprox.storage.Storage;
import dev.reprox.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code reprox migrate --from-data}: copies a single-node store (any {@link Storage}, in practice
 * the RocksDB one opened read-only) into a {@link SharedStorage}.
 *
 * <p>Blobs go first, through the shared store's own writer, so each is re-hashed on the way in and
 * becomes visible only once its digest matched; then aliases, path entries and their "indexed"
 * markers (markers after every entry of the repository), generations, pins, refs and build
 * records. Every step skips what the shared store already holds, so a rerun copies nothing and a
 * run cut short resumes where it stopped; a replica serving meanwhile never sees a record whose
 * blob or listing is missing. At the end the shared store's row counts are compared with what was
 * read: each must be at least the source's.
 */
public final class StoreMigration {
  /** Progress lines at most this often (monotonic time: a progress throttle, not domain time). */
  private static final long PROGRESS_NANOS = 10_000_000_000L;
  private static final int PROGRESS_ITEMS = 1000;
  private static final int ENTRY_BATCH = 1000;
  private static final int BUFFER = 1 << 20;

  private final Storage source;
  private final SharedStorage target;
  private final Consumer<String> out;
  private final Map<String, Tally> tallies = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();
  private long lastProgress = System.nanoTime();

  private StoreMigration(Storage source, SharedStorage target, Consumer<String> out) {
    this.source = Objects.requireNonNull(source, "source");
    this.target = Objects.requireNonNull(target, "target");
    this.out = Objects.requireNonNull(out, "out");
    for (String what : List.of("blobs", "aliases", "path entries", "listings", "generations", "pins", "refs",
        "build labels", "build entries")) {
      tallies.put(what, new Tally());
    }
  }

  /** Copies everything {@code source} holds into {@code target}, printing progress lines to {@code out}. */
  public static Report run(Storage source, SharedStorage target, Consumer<String> out) throws IOException {
    return new StoreMigration(source, target, out).run();
  }

  private Report run() throws IOException {
    blobs();
    aliases();
    List<String> repos = source.observations().repos();
    for (String repo : repos) {
      paths(repo);
    }
    for (String repo : repos) {
      generations(repo);
      pins(repo);
    }
    refs();
    builds();
    verify();
    Map<String, Count> counts = new LinkedHashMap<>();
    tallies.forEach((what, t) -> counts.put(what, new Count(t.seen, t.copied, t.bytes, t.shared)));
    return new Report(counts, List.copyOf(problems));
  }

  private void blobs() throws IOException {
    Tally t = tallies.get("blobs");
    ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
    source.blobs().forEach(info -> {
      t.seen++;
      if (target.blobs().stat(info.digest()).isEmpty()) {
        try {
          copy(info, buffer);
          t.copied++;
          t.bytes += info.size();
        } catch (DigestMismatchException | SizeMismatchException e) {
          problem("blob " + info.digest() + " is damaged in the source (" + e.getMessage() + "); not copied"
              + " (reprox verify --data lists what is damaged)");
        }
      }
      progress("blobs", t);
    });
    done("blobs", t);
  }

  /** Streams one blob through a buffer; the shared writer hashes it and refuses a mismatch. */
  private void copy(BlobInfo info, ByteBuffer buffer) throws IOException {
    try (BlobReader reader = source.blobs().open(info.digest()); BlobWriter writer = target.blobs().newWriter()) {
      long position = 0;
      while (position < reader.size()) {
        buffer.clear();
        int n = reader.read(position, buffer);
        if (n <= 0) {
          throw new StorageException("migrate: blob " + info.digest() + " ends at " + position + " of "
              + reader.size() + " bytes in the source store");
        }
        buffer.flip();
        writer.write(buffer);
        position += n;
      }
      writer.commit(info.digest(), reader.size());
    }
  }

  private void aliases() throws IOException {
    Tally t = tallies.get("aliases");
    for (Alias.Kind kind : Alias.Kind.values()) {
      source.aliases().forEach(kind, (alias, digest) -> {
        t.seen++;
        Optional<Digest> there = target.aliases().resolve(alias);
        if (there.isEmpty()) {
          target.aliases().put(alias, digest);
          t.copied++;
        } else if (!there.get().equals(digest)) {
          problem("alias " + kind + " " + java.util.HexFormat.of().formatHex(alias.value()) + " names " + there.get()
              + " in the shared store but " + digest + " in the source; kept the shared one");
        }
        progress("aliases", t);
      });
    }
    done("aliases", t);
  }

  /** Entries in batches (any listing order), then the markers of the listings the source had indexed. */
  private void paths(String repo) throws IOException {
    Tally entries = tallies.get("path entries");
    Tally listings = tallies.get("listings");
    Set<Digest> seen = new HashSet<>();
    List<PathEntry> batch = new ArrayList<>(ENTRY_BATCH);
    source.paths().forEach(repo, entry -> {
      entries.seen++;
      seen.add(entry.listing());
      batch.add(entry);
      if (batch.size() == ENTRY_BATCH) {
        entries.copied += target.pgPaths().copyEntries(repo, batch);
        batch.clear();
      }
      progress("path entries", entries);
    });
    if (!batch.isEmpty()) {
      entries.copied += target.pgPaths().copyEntries(repo, batch);
    }
    for (Digest listing : seen) {
      if (source.paths().isIndexed(repo, listing)) {
        listings.seen++;
        if (target.pgPaths().markIndexed(repo, listing)) {
          listings.copied++;
        }
      }
    }
    done("path entries of " + repo, entries);
  }

  /**
   * Two observations per generation, at its first and its last fetch: the shared store folds them
   * into one row with the same window (and the first one's publication time, signer and source).
   */
  private void generations(String repo) throws IOException {
    Tally t = tallies.get("generations");
    for (String root : source.observations().roots(repo)) {
      for (Generation g : source.observations().generations(repo, root)) {
        t.seen++;
        Optional<Generation> there = target.observations().byDigest(repo, root, g.digest());
        if (there.isPresent() && there.get().equals(g)) {
          continue;
        }
        target.observations().record(new Observation(repo, root, g.digest(), g.publishedAt(),
            g.publishedEstimated(), g.firstFetchedAt(), g.signer(), g.source()));
        Generation now = target.observations().record(new Observation(repo, root, g.digest(), g.publishedAt(),
            g.publishedEstimated(), g.lastFetchedAt(), g.signer(), g.source()));
        t.copied++;
        if (!now.publishedAt().equals(g.publishedAt())) {
          problem("generation " + repo + " " + root + " " + g.digest() + " was published at " + now.publishedAt()
              + " in the shared store but " + g.publishedAt() + " in the source; kept the shared one");
        }
      }
    }
    done("generations of " + repo, t);
  }

  private void pins(String repo) throws IOException {
    Tally t = tallies.get("pins");
    for (Pin pin : source.pins().list(repo)) {
      t.seen++;
      switch (target.pgPins().copy(pin)) {
        case COPIED -> t.copied++;
        case PRESENT -> { }
        case CONFLICT -> problem("pin " + repo + " " + pin.root() + " [" + pin.from() + ", " + pin.to() + "] -> "
            + pin.generation() + " overlaps another answer in the shared store; kept the shared one");
      }
    }
    done("pins of " + repo, t);
  }

  /** A ref the shared store already has stays: replicas may have seen a newer blob at that path. */
  private void refs() throws IOException {
    Tally t = tallies.get("refs");
    source.refs().forEach(ref -> {
      t.seen++;
      Optional<Ref> there = target.refs().get(ref.repo(), ref.path());
      if (there.isEmpty()) {
        target.refs().put(ref);
        t.copied++;
      }
      progress("refs", t);
    });
    done("refs", t);
  }

  private void builds() throws IOException {
    Tally labels = tallies.get("build labels");
    Tally entries = tallies.get("build entries");
    for (BuildLabel label : source.builds().labels()) {
      labels.seen++;
      if (target.builds().label(label.label()).isEmpty()) {
        labels.copied++;
      }
      // At most BuildRecords.MAX_ENTRIES per label: bounded, so one list is fine.
      var list = source.builds().entries(label.label());
      entries.seen += list.size();
      entries.copied += target.pgBuilds().copy(label, list);
    }
    done("build records", entries);
  }

  /** The shared store must hold at least as many of each as were read (more when replicas added some). */
  private void verify() throws StorageException {
    Map<String, String> tables = Map.of("blobs", "blobs", "aliases", "aliases", "path entries", "path_entries",
        "listings", "listings", "generations", "generations", "pins", "pins", "refs", "refs",
        "build labels", "build_labels", "build entries", "build_entries");
    for (Map.Entry<String, Tally> e : tallies.entrySet()) {
      String table = tables.get(e.getKey());
      long count = target.db().one("migrate verify", "SELECT count(*) FROM " + table, ps -> { }, rs -> rs.getLong(1));
      e.getValue().shared = count;
      if (count < e.getValue().seen) {
        problem(e.getKey() + ": the shared store holds " + count + " but the source " + e.getValue().seen);
      }
    }
  }

  private void progress(String what, Tally t) {
    long now = System.nanoTime();
    if (t.seen % PROGRESS_ITEMS == 0 || now - lastProgress > PROGRESS_NANOS) {
      lastProgress = now;
      out.accept("migrate: " + what + ": " + t.seen + " read, " + t.copied + " copied"
          + (t.bytes > 0 ? " (" + mib(t.bytes) + ")" : ""));
    }
  }

  private void done(String what, Tally t) {
    lastProgress = System.nanoTime();
    out.accept("migrate: " + what + ": " + t.seen + " read, " + t.copied + " copied"
        + (t.bytes > 0 ? " (" + mib(t.bytes) + ")" : ""));
  }

  private void problem(String text) {
    problems.add(text);
    out.accept("migrate: problem: " + text);
  }

  private static String mib(long bytes) {
    return bytes < (1 << 20) ? String.format(java.util.Locale.ROOT, "%.1f KiB", bytes / 1024.0)
        : String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  /** Counts of one kind of record, while the run goes. */
  private static final class Tally {
    long seen;
    long copied;
    long bytes;
    long shared;
  }

  /** One kind of record: read from the source, copied (and their bytes), then counted in the shared store. */
  public record Count(long read, long copied, long bytes, long shared) {}

  /** What a run did, per kind of record in the order copied, and what went wrong. */
  public record Report(Map<String, Count> counts, List<String> problems) {
    /** Records copied in all (0 on a rerun). */
    public long copied() {
      return counts.values().stream().mapToLong(Count::copied).sum();
    }

    public Count count(String what) {
      return Objects.requireNonNull(counts.get(what), what);
    }

    public boolean ok() {
      return problems.isEmpty();
    }

    /** One line per kind of record, then the verdict. */
    public List<String> summary() {
      List<String> lines = new ArrayList<>();
      counts.forEach((what, c) -> lines.add(String.format(java.util.Locale.ROOT,
          "migrate: %-15s %9d read %9d copied %9d in the shared store%s", what + ":", c.read(), c.copied(),
          c.shared(), c.bytes() > 0 ? " (" + mib(c.bytes()) + " copied)" : "")));
      lines.add(ok() ? "migrate: done: " + copied() + " records copied; the shared store holds everything read"
          : "migrate: FAILED: " + problems.size() + " problem(s), first: " + problems.get(0));
      return lines;
    }
  }
}
