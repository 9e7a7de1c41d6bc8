package dev.reprox.storage.rocks;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Aliases;
import dev.reprox.storage.Digest;
import dev.reprox.storage.StorageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rocksdb.RocksDBException;

/** Aliases under 'A' (kind, value) → SHA-256. */
final class RocksAliases implements Aliases {
  private static final int PAGE = 1024;
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

  @Override
  public boolean delete(Alias alias) throws IOException {
    String what = "delete alias " + alias;
    byte[] key = Keys.alias(alias);
    if (rocks.get(what, rocks.meta, key) == null) {
      return false;
    }
    rocks.enter();
    try {
      rocks.db.delete(rocks.meta, rocks.noSync, key);
    } catch (RocksDBException e) {
      throw new StorageException(what + ": " + e.getMessage(), e);
    } finally {
      rocks.exit();
    }
    return true;
  }

  @Override
  public void forEach(Alias.Kind kind, Visitor visitor) throws IOException {
    byte[] prefix = Keys.aliasPrefix(kind);
    byte[] upper = Keys.after(prefix);
    byte[] from = prefix;
    // In pages, outside the scan: the visitor reads blobs, and a close must not wait on all of it.
    while (true) {
      byte[] lower = from;
      List<Map.Entry<Alias, Digest>> page = rocks.scan("list aliases " + kind, rocks.meta, rocks.verified, lower, upper,
          it -> {
            List<Map.Entry<Alias, Digest>> out = new ArrayList<>();
            for (it.seekToFirst(); it.isValid() && out.size() < PAGE; it.next()) {
              byte[] key = it.key();
              out.add(Map.entry(new Alias(kind, Arrays.copyOfRange(key, prefix.length, key.length)), Digest.of(it.value())));
            }
            it.status();
            return out;
          });
      for (Map.Entry<Alias, Digest> e : page) {
        visitor.visit(e.getKey(), e.getValue());
      }
      if (page.size() < PAGE) {
        return;
      }
      from = Keys.after(Keys.alias(page.get(page.size() - 1).getKey()));
    }
  }
}
