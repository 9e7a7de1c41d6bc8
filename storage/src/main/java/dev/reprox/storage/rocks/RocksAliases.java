package dev.reprox.storage.rocks;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Aliases;
import dev.reprox.storage.Digest;
import java.io.IOException;
import java.util.Optional;

/** Aliases under 'A' (kind, value) → SHA-256. */
final class RocksAliases implements Aliases {
  private final RocksResources rocks;

  RocksAliases(RocksResources rocks) {
    this.rocks = rocks;
  }

  @Override
  public void put(Alias alias, Digest target) throws IOException {
    rocks.put("put alias " + alias, rocks.meta, Keys.alias(alias), target.bytes(), false);
  }

  @Override
  public Optional<Digest> resolve(Alias alias) throws IOException {
    byte[] v = rocks.get("resolve alias " + alias, rocks.meta, Keys.alias(alias));
    return v == null ? Optional.empty() : Optional.of(Digest.of(v));
  }
}
