package dev.reprox.storage.rocks;

import dev.reprox.storage.Digest;
import dev.reprox.storage.PathEntry;
import dev.reprox.storage.PathIndex;
import dev.reprox.storage.StorageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/** Path entries under 'L' (repo, path, listing); the 'X' marker is written after all of them. */
final class RocksPathIndex implements PathIndex {
  /** Entries per batch: a Packages file has ~63,000; batches keep the memtable writes moderate. */
  private static final int BATCH = 10_000;

  private final RocksResources rocks;

  RocksPathIndex(RocksResources rocks) {
    this.rocks = rocks;
  }

  @Override
  public boolean isIndexed(String repo, Digest listing) throws IOException {
    return rocks.get("isIndexed " + repo + " " + listing, rocks.meta, Keys.listingIndexed(repo, listing)) != null;
  }

  @Override
  public void putListing(String repo, Digest listing, Iterable<PathEntry> entries) throws IOException {
    String what = "putListing " + repo + " " + listing;
    WriteBatch batch = new WriteBatch();
    try {
      int n = 0;
      for (PathEntry e : entries) {
        if (!e.listing().equals(listing)) {
          throw new IllegalArgumentException(what + ": entry " + e.path() + " names listing " + e.listing());
        }
        put(batch, Keys.path(repo, e.path(), listing), Values.pathEntry(e));
        if (++n % BATCH == 0) {
          rocks.write(what, batch, false);
          batch.close();
          batch = new WriteBatch();
        }
      }
      // Last, and synced: a crash before this line leaves the listing un-indexed, to be redone.
      put(batch, Keys.listingIndexed(repo, listing), new byte[0]);
      rocks.write(what, batch, true);
    } catch (RocksDBException e) {
      throw new StorageException(what + ": " + e.getMessage(), e);
    } finally {
      batch.close();
    }
  }

  /**
   * One put into a batch, while the store is open: the entries are parsed between puts (seconds
   * for a large listing), and a store closed meanwhile must fail this with a StorageException, not
   * hand a freed column family handle to native code (that crashed the JVM at shutdown).
   */
  private void put(WriteBatch batch, byte[] key, byte[] value) throws RocksDBException, StorageException {
    rocks.enter();
    try {
      batch.put(rocks.meta, key, value);
    } finally {
      rocks.exit();
    }
  }

  @Override
  public void forEach(String repo, Visitor visitor) throws IOException {
    byte[] prefix = Keys.pathPrefix(repo);
    byte[] from = prefix;
    // In pages, outside the scan, like RocksAliases#forEach.
    while (true) {
      byte[] lower = from;
      List<byte[][]> page = rocks.scan("list paths " + repo, rocks.meta, rocks.serving, lower, Keys.after(prefix),
          it -> {
            List<byte[][]> out = new ArrayList<>();
            for (it.seekToFirst(); it.isValid() && out.size() < BATCH; it.next()) {
              out.add(new byte[][] {it.key(), it.value()});
            }
            it.status();
            return out;
          });
      for (byte[][] kv : page) {
        visitor.visit(decode(kv[0], kv[1], prefix.length));
      }
      if (page.size() < BATCH) {
        return;
      }
      from = Keys.after(page.get(page.size() - 1)[0]);
    }
  }

  @Override
  public long deleteListings(String repo, Predicate<Digest> doomed) throws IOException {
    String what = "delete listings of " + repo;
    byte[] markers = Keys.listingIndexedPrefix(repo);
    List<byte[]> doomedMarkers = rocks.scan(what, rocks.meta, rocks.serving, markers, Keys.after(markers), it -> {
      List<byte[]> out = new ArrayList<>();
      for (it.seekToFirst(); it.isValid(); it.next()) {
        if (doomed.test(Keys.digestAt(it.key(), markers.length))) {
          out.add(it.key());
        }
      }
      it.status();
      return out;
    });
    deleteKeys(what, doomedMarkers, true);
    byte[] prefix = Keys.pathPrefix(repo);
    long n = 0;
    byte[] from = prefix;
    while (true) {
      byte[] lower = from;
      byte[][] last = new byte[1][];
      List<byte[]> keys = rocks.scan(what, rocks.meta, rocks.serving, lower, Keys.after(prefix), it -> {
        List<byte[]> out = new ArrayList<>();
        int seen = 0;
        for (it.seekToFirst(); it.isValid() && seen < BATCH; it.next(), seen++) {
          byte[] key = it.key();
          last[0] = key;
          if (doomed.test(Keys.digestAt(key, key.length - Digest.LENGTH))) {
            out.add(key);
          }
        }
        it.status();
        return out;
      });
      deleteKeys(what, keys, false);
      n += keys.size();
      if (last[0] == null) {
        return n;
      }
      from = Keys.after(last[0]);
    }
  }

  private void deleteKeys(String what, List<byte[]> keys, boolean durable) throws StorageException {
    if (keys.isEmpty()) {
      return;
    }
    try (WriteBatch batch = rocks.batch()) {
      for (byte[] k : keys) {
        batch.delete(rocks.meta, k);
      }
      rocks.write(what, batch, durable);
    } catch (RocksDBException e) {
      throw new StorageException(what + ": " + e.getMessage(), e);
    }
  }

  private static PathEntry decode(byte[] key, byte[] value, int repoPrefixLength) {
    String path = Keys.strAt(key, repoPrefixLength);
    return Values.pathEntry(path, Keys.digestAt(key, key.length - Digest.LENGTH), value);
  }

  @Override
  public List<PathEntry> lookup(String repo, String path) throws IOException {
    byte[] prefix = Keys.pathPrefix(repo, path);
    return rocks.scan("lookup " + repo + " " + path, rocks.meta, rocks.serving, prefix, Keys.after(prefix), it -> {
      List<PathEntry> out = new ArrayList<>();
      for (it.seekToFirst(); it.isValid(); it.next()) {
        out.add(Values.pathEntry(path, Keys.digestAt(it.key(), prefix.length), it.value()));
      }
      it.status();
      return out;
    });
  }
}
