package dev.reprox.storage.rocks;

import dev.reprox.storage.Digest;
import dev.reprox.storage.PathEntry;
import dev.reprox.storage.PathIndex;
import dev.reprox.storage.StorageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
        batch.put(rocks.meta, Keys.path(repo, e.path(), listing), Values.pathEntry(e));
        if (++n % BATCH == 0) {
          rocks.write(what, batch, false);
          batch.close();
          batch = new WriteBatch();
        }
      }
      // Last, and synced: a crash before this line leaves the listing un-indexed, to be redone.
      batch.put(rocks.meta, Keys.listingIndexed(repo, listing), new byte[0]);
      rocks.write(what, batch, true);
    } catch (RocksDBException e) {
      throw new StorageException(what + ": " + e.getMessage(), e);
    } finally {
      batch.close();
    }
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
