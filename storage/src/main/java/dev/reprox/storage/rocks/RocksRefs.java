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

  @Override
  public boolean delete(String repo, String path) throws IOException {
    String what = "delete ref " + repo + " " + path;
    byte[] key = Keys.ref(repo, path);
    if (rocks.get(what, rocks.meta, key) == null) {
      return false;
    }
    rocks.enter();
    try {
      rocks.db.delete(rocks.meta, rocks.sync, key);
    } catch (org.rocksdb.RocksDBException e) {
      throw new dev.reprox.storage.StorageException(what + ": " + e.getMessage(), e);
    } finally {
      rocks.exit();
    }
    return true;
  }

  @Override
  public void forEach(Visitor visitor) throws IOException {
    byte[] prefix = Keys.refPrefix();
    byte[] from = prefix;
    while (true) {
      byte[] lower = from;
      java.util.List<byte[][]> page = rocks.scan("list refs", rocks.meta, rocks.serving, lower, Keys.after(prefix),
          it -> {
            java.util.List<byte[][]> out = new java.util.ArrayList<>();
            for (it.seekToFirst(); it.isValid() && out.size() < PAGE; it.next()) {
              out.add(new byte[][] {it.key(), it.value()});
            }
            it.status();
            return out;
          });
      for (byte[][] kv : page) {
        String repo = Keys.strAt(kv[0], 1);
        String path = Keys.strAt(kv[0], 1 + Keys.strLength(kv[0], 1));
        visitor.visit(Values.ref(repo, path, kv[1]));
      }
      if (page.size() < PAGE) {
        return;
      }
      from = Keys.after(page.get(page.size() - 1)[0]);
    }
  }

  private static final int PAGE = 1024;
}
