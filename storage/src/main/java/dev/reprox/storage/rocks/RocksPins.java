package dev.reprox.storage.rocks;

import dev.reprox.storage.Pin;
import dev.reprox.storage.Pins;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pins under 'P' (repo, root, at), written synced. {@code putIfAbsent} is a read and a write under
 * one lock: the store has a single writer process (RocksDB's own file lock guarantees it).
 */
final class RocksPins implements Pins {
  private final RocksResources rocks;

  RocksPins(RocksResources rocks) {
    this.rocks = rocks;
  }

  @Override
  public Optional<Pin> get(String repo, String root, Instant at) throws IOException {
    byte[] v = rocks.get("get pin " + repo + " " + root + " " + at, rocks.meta, Keys.pin(repo, root, at));
    return v == null ? Optional.empty() : Optional.of(Values.pin(repo, root, at, v));
  }

  @Override
  public synchronized Pin putIfAbsent(Pin pin) throws IOException {
    Optional<Pin> existing = get(pin.repo(), pin.root(), pin.at());
    if (existing.isPresent()) {
      return existing.get();
    }
    rocks.put("pin " + pin.repo() + " " + pin.root() + " " + pin.at(), rocks.meta,
        Keys.pin(pin.repo(), pin.root(), pin.at()), Values.pin(pin), true);
    return pin;
  }

  @Override
  public List<Pin> list(String repo) throws IOException {
    byte[] prefix = Keys.pinPrefix(repo);
    return rocks.scan("list pins " + repo, rocks.meta, rocks.serving, prefix, Keys.after(prefix), it -> {
      List<Pin> out = new ArrayList<>();
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] key = it.key();
        String root = Keys.strAt(key, prefix.length);
        Instant at = Keys.instantAt(key, prefix.length + Keys.strLength(key, prefix.length));
        out.add(Values.pin(repo, root, at, it.value()));
      }
      it.status();
      return out;
    });
  }
}
