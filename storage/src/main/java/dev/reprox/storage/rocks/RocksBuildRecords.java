package dev.reprox.storage.rocks;

import dev.reprox.storage.BuildEntry;
import dev.reprox.storage.BuildLabel;
import dev.reprox.storage.BuildRecords;
import dev.reprox.storage.StorageException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Build records under 'K' (label) → head and 'E' (label, repo, at, path) → entry. Writes are not
 * synced: the WAL reaches the OS at once, so a killed process keeps them; a power cut may lose the
 * last ones, which a record of what was served can afford (the pins and blobs it names are synced).
 * Every change runs under one lock (one writer process, RocksDB's file lock sees to that), so the
 * label count the bound needs is counted once and then kept.
 */
final class RocksBuildRecords implements BuildRecords {
  private final RocksResources rocks;
  private int labelCount = -1;

  RocksBuildRecords(RocksResources rocks) {
    this.rocks = rocks;
  }

  @Override
  public synchronized Outcome record(BuildEntry e, int maxLabels) throws IOException {
    String what = "record build " + e.label() + " " + e.repo() + " " + e.path();
    byte[] headKey = Keys.buildLabel(e.label());
    byte[] v = rocks.get(what, rocks.meta, headKey);
    BuildLabel head;
    if (v == null) {
      if (count() >= maxLabels) {
        return Outcome.LABELS_FULL;
      }
      head = new BuildLabel(e.label(), e.servedAt(), e.servedAt(), 0, false);
    } else {
      head = Values.buildLabel(e.label(), v);
    }
    Instant last = e.servedAt().isAfter(head.lastUsed()) ? e.servedAt() : head.lastUsed();
    String at = e.at().map(Instant::toString).orElse("live");
    byte[] entryKey = Keys.buildEntry(e.label(), e.repo(), at, e.path());
    byte[] old = rocks.get(what, rocks.meta, entryKey);
    Outcome outcome;
    BuildLabel next;
    if (old == null && head.entries() >= MAX_ENTRIES) {
      outcome = Outcome.ENTRIES_FULL;
      next = new BuildLabel(head.label(), head.firstUsed(), last, head.entries(), true);
    } else {
      boolean same = old != null && Values.buildEntry(e.label(), e.repo(), at, e.path(), old).sameAnswer(e);
      outcome = same ? Outcome.UNCHANGED : Outcome.WRITTEN;
      next = new BuildLabel(head.label(), head.firstUsed(), last, head.entries() + (old == null ? 1 : 0),
          head.truncated());
    }
    try (WriteBatch batch = rocks.batch()) {
      if (outcome == Outcome.WRITTEN) {
        batch.put(rocks.meta, entryKey, Values.buildEntry(e));
      }
      if (v == null || !next.equals(head)) {
        batch.put(rocks.meta, headKey, Values.buildLabel(next));
      }
      if (batch.count() > 0) {
        rocks.write(what, batch, false);
      }
    } catch (RocksDBException ex) {
      throw new StorageException(what + ": " + ex.getMessage(), ex);
    }
    if (v == null) {
      labelCount++;
    }
    return outcome;
  }

  @Override
  public List<BuildLabel> labels() throws IOException {
    byte[] prefix = Keys.buildLabelPrefix();
    return rocks.scan("list build labels", rocks.meta, rocks.serving, prefix, Keys.after(prefix), it -> {
      List<BuildLabel> out = new ArrayList<>();
      for (it.seekToFirst(); it.isValid(); it.next()) {
        out.add(Values.buildLabel(Keys.strAt(it.key(), prefix.length), it.value()));
      }
      it.status();
      return out;
    });
  }

  @Override
  public Optional<BuildLabel> label(String label) throws IOException {
    byte[] v = rocks.get("get build label " + label, rocks.meta, Keys.buildLabel(label));
    return v == null ? Optional.empty() : Optional.of(Values.buildLabel(label, v));
  }

  @Override
  public List<BuildEntry> entries(String label) throws IOException {
    byte[] prefix = Keys.buildEntryPrefix(label);
    return rocks.scan("list build entries " + label, rocks.meta, rocks.serving, prefix, Keys.after(prefix), it -> {
      List<BuildEntry> out = new ArrayList<>();
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] k = it.key();
        int o = prefix.length;
        String repo = Keys.strAt(k, o);
        o += Keys.strLength(k, o);
        String at = Keys.strAt(k, o);
        o += Keys.strLength(k, o);
        out.add(Values.buildEntry(label, repo, at, Keys.strAt(k, o), it.value()));
      }
      it.status();
      return out;
    });
  }

  @Override
  public synchronized Optional<BuildLabel> delete(String label) throws IOException {
    Optional<BuildLabel> head = label(label);
    if (head.isPresent()) {
      remove(label);
      if (labelCount > 0) {
        labelCount--;
      }
    }
    return head;
  }

  @Override
  public synchronized int expire(Instant cutoff) throws IOException {
    int n = 0;
    for (BuildLabel l : labels()) {
      if (l.lastUsed().isBefore(cutoff)) {
        remove(l.label());
        n++;
      }
    }
    labelCount = -1;
    return n;
  }

  private void remove(String label) throws StorageException {
    String what = "delete build label " + label;
    byte[] prefix = Keys.buildEntryPrefix(label);
    try (WriteBatch batch = rocks.batch()) {
      batch.deleteRange(rocks.meta, prefix, Keys.after(prefix));
      batch.delete(rocks.meta, Keys.buildLabel(label));
      rocks.write(what, batch, false);
    } catch (RocksDBException e) {
      throw new StorageException(what + ": " + e.getMessage(), e);
    }
  }

  private int count() throws IOException {
    if (labelCount < 0) {
      labelCount = labels().size();
    }
    return labelCount;
  }
}
