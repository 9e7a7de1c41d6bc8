package dev.reprox.storage.memory;

import dev.reprox.storage.Pin;
import dev.reprox.storage.Pins;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** Pins in a concurrent sorted map; {@code putIfAbsent} is the map's own atomic operation. */
final class MemoryPins implements Pins {
  private record Key(String repo, String root, Instant at) {}

  private static final Comparator<Key> ORDER =
      Comparator.comparing(Key::repo).thenComparing(Key::root).thenComparing(Key::at);

  private final ConcurrentSkipListMap<Key, Pin> pins = new ConcurrentSkipListMap<>(ORDER);

  @Override
  public Optional<Pin> get(String repo, String root, Instant at) {
    return Optional.ofNullable(pins.get(new Key(repo, root, at)));
  }

  @Override
  public Pin putIfAbsent(Pin pin) {
    Pin existing = pins.putIfAbsent(new Key(pin.repo(), pin.root(), pin.at()), pin);
    return existing != null ? existing : pin;
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
