package dev.reprox.storage.memory;

import dev.reprox.storage.Ref;
import dev.reprox.storage.Refs;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** (repo, path) → last ref in a concurrent map. */
final class MemoryRefs implements Refs {
  private record Key(String repo, String path) {}

  private final ConcurrentHashMap<Key, Ref> refs = new ConcurrentHashMap<>();

  @Override
  public void put(Ref ref) {
    refs.put(new Key(ref.repo(), ref.path()), ref);
  }

  @Override
  public Optional<Ref> get(String repo, String path) {
    return Optional.ofNullable(refs.get(new Key(repo, path)));
  }

  @Override
  public boolean delete(String repo, String path) {
    return refs.remove(new Key(repo, path)) != null;
  }

  @Override
  public void forEach(Visitor visitor) throws java.io.IOException {
    for (Ref r : java.util.List.copyOf(refs.values())) {
      visitor.visit(r);
    }
  }
}
