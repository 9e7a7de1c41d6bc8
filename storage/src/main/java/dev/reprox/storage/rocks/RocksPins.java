package dev.reprox.storage.rocks;

import dev.reprox.storage.Pin;
import dev.reprox.storage.Pins;
import dev.reprox.storage.StorageException;
import dev.reprox.storage.internal.PinRanges;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Pin ranges under 'P' (repo, root, from) → {to, generation, status, pinnedAt}, written synced.
 * The pin covering T is the one {@code seekForPrev} to (repo, root, T) finds, if its {@code to}
 * reaches T. {@code putIfAbsent} reads and writes under one lock: the store has a single writer
 * process (RocksDB's own file lock guarantees it), and a join of two ranges is one WriteBatch.
 */
final class RocksPins implements Pins {
  private final RocksResources rocks;

  RocksPins(RocksResources rocks) {
    this.rocks = rocks;
  }

  @Override
  public Optional<Pin> get(String repo, String root, Instant at) throws IOException {
    byte[] prefix = Keys.pinPrefix(repo, root);
    Pin before = rocks.scan("get pin " + repo + " " + root + " " + at, rocks.meta, rocks.serving, prefix,
        Keys.after(prefix), it -> {
          it.seekForPrev(Keys.pin(repo, root, at));
          if (!it.isValid()) {
            it.status();
            return null;
          }
          return decode(it, repo, root, prefix.length);
        });
    return Optional.ofNullable(before).filter(p -> p.covers(at));
  }

  @Override
  public synchronized Pin putIfAbsent(Pin wanted, Instant at) throws IOException {
    Pin[] n = neighbours(wanted.repo(), wanted.root(), at);
    Pin before = n[0];
    Pin after = n[1];
    if (before != null && before.covers(at)) {
      return before;
    }
    Pin placed = PinRanges.place(wanted, at, before, after);
    String what = "pin " + wanted.repo() + " " + wanted.root() + " " + at;
    try (WriteBatch batch = rocks.batch()) {
      batch.put(rocks.meta, Keys.pin(placed.repo(), placed.root(), placed.from()), Values.pin(placed));
      if (after != null && placed.to().equals(after.to())) {
        batch.delete(rocks.meta, Keys.pin(after.repo(), after.root(), after.from()));
      }
      rocks.write(what, batch, true);
    } catch (RocksDBException e) {
      throw new StorageException(what + ": " + e.getMessage(), e);
    }
    return placed;
  }

  /** The pin starting at or before {@code at} and the first one starting after it (either null). */
  private Pin[] neighbours(String repo, String root, Instant at) throws IOException {
    byte[] prefix = Keys.pinPrefix(repo, root);
    byte[] target = Keys.pin(repo, root, at);
    return rocks.scan("get pin " + repo + " " + root + " " + at, rocks.meta, rocks.serving, prefix,
        Keys.after(prefix), it -> {
          Pin[] out = new Pin[2];
          it.seekForPrev(target);
          if (it.isValid()) {
            out[0] = decode(it, repo, root, prefix.length);
            it.next(); // the greatest key <= T is behind us: the next one starts after T
          } else {
            it.status();
            it.seek(target);
          }
          if (it.isValid()) {
            out[1] = decode(it, repo, root, prefix.length);
          } else {
            it.status();
          }
          return out;
        });
  }

  @Override
  public List<Pin> list(String repo) throws IOException {
    byte[] prefix = Keys.pinPrefix(repo);
    return rocks.scan("list pins " + repo, rocks.meta, rocks.serving, prefix, Keys.after(prefix), it -> {
      List<Pin> out = new ArrayList<>();
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] key = it.key();
        String root = Keys.strAt(key, prefix.length);
        Instant from = Keys.instantAt(key, prefix.length + Keys.strLength(key, prefix.length));
        out.add(Values.pin(repo, root, from, it.value()));
      }
      it.status();
      return out;
    });
  }

  private static Pin decode(RocksIterator it, String repo, String root, int prefixLength) {
    return Values.pin(repo, root, Keys.instantAt(it.key(), prefixLength), it.value());
  }
}
