package dev.reprox.storage.memory;

import dev.reprox.storage.BuildEntry;
import dev.reprox.storage.BuildLabel;
import dev.reprox.storage.BuildRecords;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/** Labels in a sorted map, each with its entries sorted like the RocksDB keys; one lock for all. */
final class MemoryBuildRecords implements BuildRecords {
  private record Key(String repo, String at, String path) {}

  // As the RocksDB keys order: each component by length, then by content.
  private static final Comparator<String> STR = Comparator.comparingInt(String::length).thenComparing(s -> s);
  private static final Comparator<Key> ORDER = Comparator.comparing(Key::repo, STR)
      .thenComparing(Key::at, STR).thenComparing(Key::path, STR);

  private static final class Held {
    BuildLabel head;
    final TreeMap<Key, BuildEntry> entries = new TreeMap<>(ORDER);

    Held(BuildLabel head) {
      this.head = head;
    }
  }

  private final TreeMap<String, Held> labels = new TreeMap<>();

  @Override
  public synchronized Outcome record(BuildEntry e, int maxLabels) {
    Held held = labels.get(e.label());
    if (held == null) {
      if (labels.size() >= maxLabels) {
        return Outcome.LABELS_FULL;
      }
      held = new Held(new BuildLabel(e.label(), e.servedAt(), e.servedAt(), 0, false));
      labels.put(e.label(), held);
    }
    BuildLabel h = held.head;
    Instant last = e.servedAt().isAfter(h.lastUsed()) ? e.servedAt() : h.lastUsed();
    Key key = new Key(e.repo(), e.at().map(Instant::toString).orElse("live"), e.path());
    BuildEntry old = held.entries.get(key);
    if (old == null && h.entries() >= MAX_ENTRIES) {
      held.head = new BuildLabel(h.label(), h.firstUsed(), last, h.entries(), true);
      return Outcome.ENTRIES_FULL;
    }
    held.head = new BuildLabel(h.label(), h.firstUsed(), last, h.entries() + (old == null ? 1 : 0), h.truncated());
    if (old != null && old.sameAnswer(e)) {
      return Outcome.UNCHANGED;
    }
    held.entries.put(key, e);
    return Outcome.WRITTEN;
  }

  @Override
  public synchronized List<BuildLabel> labels() {
    return labels.values().stream().map(h -> h.head).toList();
  }

  @Override
  public synchronized Optional<BuildLabel> label(String label) {
    return Optional.ofNullable(labels.get(label)).map(h -> h.head);
  }

  @Override
  public synchronized List<BuildEntry> entries(String label) {
    Held h = labels.get(label);
    return h == null ? List.of() : new ArrayList<>(h.entries.values());
  }

  @Override
  public synchronized Optional<BuildLabel> delete(String label) {
    return Optional.ofNullable(labels.remove(label)).map(h -> h.head);
  }

  @Override
  public synchronized int expire(Instant cutoff) {
    int before = labels.size();
    labels.values().removeIf(h -> h.head.lastUsed().isBefore(cutoff));
    return before - labels.size();
  }
}
