package dev.reprox.storage.memory;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Aliases;
import dev.reprox.storage.Digest;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Alias → SHA-256 in a concurrent map. */
final class MemoryAliases implements Aliases {
  private final ConcurrentHashMap<Alias, Digest> aliases = new ConcurrentHashMap<>();

  @Override
  public void put(Alias alias, Digest target) {
    aliases.put(alias, target);
  }

  @Override
  public Optional<Digest> resolve(Alias alias) {
    return Optional.ofNullable(aliases.get(alias));
  }

  @Override
  public boolean delete(Alias alias) {
    return aliases.remove(alias) != null;
  }

  @Override
  public void forEach(Alias.Kind kind, Visitor visitor) throws IOException {
    for (Map.Entry<Alias, Digest> e : List.copyOf(aliases.entrySet())) {
      if (e.getKey().kind() == kind) {
        visitor.visit(e.getKey(), e.getValue());
      }
    }
  }
}
