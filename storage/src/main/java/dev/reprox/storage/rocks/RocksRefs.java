package dev.reprox.storage.rocks;

import dev.reprox.storage.Ref;
import dev.reprox.storage.Refs;
import java.io.IOException;
import java.util.Optional;

/** Refs under 'R' (repo, path) → {digest, seenAt}. */
final class RocksRefs implements Refs {
  private final RocksResources rocks;

  RocksRefs(RocksResources rocks) {
    this.rocks = rocks;
  }

  @Override
  public void put(Ref ref) throws IOException {
    rocks.put("put ref " + ref.repo() + " " + ref.path(), rocks.meta, Keys.ref(ref.repo(), ref.path()),
        Values.ref(ref), false);
  }

  @Override
  public Optional<Ref> get(String repo, String path) throws IOException {
    byte[] v = rocks.get("get ref " + repo + " " + path, rocks.meta, Keys.ref(repo, path));
    return v == null ? Optional.empty() : Optional.of(Values.ref(repo, path, v));
  }
}
