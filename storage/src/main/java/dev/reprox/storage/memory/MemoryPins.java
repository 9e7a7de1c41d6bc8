package dev.reprox.storage.memory;

import dev.reprox.storage.Pin;
import dev.reprox.storage.Pins;
import dev.reprox.storage.internal.PinRanges;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** Pin ranges in a concurrent sorted map keyed by (repo, root, from); writers take one lock. */
final class MemoryPins implements Pins {
  private record Key(String repo, String root, Instant from) {}

  private static final Comparator<Key> ORDER =
      Comparator.comparing(Key::repo).thenComparing(Key::root).thenComparing(Key::from);

  private final ConcurrentSkipListMap<Key, Pin> pins = new ConcurrentSkipListMap<>(ORDER);

  @Override
  public Optional<Pin> get(String repo, String root, Instant at) {
    return Optional.ofNullable(before(repo, root, at)).filter(p -> p.covers(at));
  }

  @Override
  public synchronized Pin putIfAbsent(Pin wanted, Instant at) {
    Pin before = before(wanted.repo(), wanted.root(), at);
    if (before != null && before.covers(at)) {
      return before;
    }
    Map.Entry<Key, Pin> next = pins.higherEntry(new Key(wanted.repo(), wanted.root(), at));
    Pin after = next != null && next.getKey().repo().equals(wanted.repo()) && next.getKey().root().equals(wanted.root())
        ? next.getValue() : null;
    Pin placed = PinRanges.place(wanted, at, before, after);
    // Put before remove: a lock-free reader meanwhile sees a covering pin, never a gap.
    pins.put(new Key(placed.repo(), placed.root(), placed.from()), placed);
    if (after != null && placed.to().equals(after.to())) {
      pins.remove(next.getKey());
    }
    return placed;
  }

  private Pin before(String repo, String root, Instant at) {
    Map.Entry<Key, Pin> e = pins.floorEntry(new Key(repo, root, at));
    return e != null && e.getKey().repo().equals(repo) && e.getKey().root().equals(root) ? e.getValue() : null;
  }

  @Override
  public List<Pin> list(String repo) {
    List<Pin> out = new ArrayList<>();
    for (Pin p : pins.tailMap(new Key(repo, "", Instant.MIN)).values()) {
      if (!p.repo().equals(repo)) {
        break;
      }
      out.add(p);
    }
    return out;
  }
}
