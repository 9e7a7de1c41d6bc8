package dev.reprox.storage;

import java.io.IOException;

/** The whole store: blobs, aliases, observations, pins, path listings, refs and build records, closed together. */
public interface Storage extends AutoCloseable {
  BlobStore blobs();

  Aliases aliases();

  Observations observations();

  Pins pins();

  PathIndex paths();

  Refs refs();

  BuildRecords builds();

  /** Counters for metrics; cheap, may be called often. Zeros unless the implementation counts. */
  default StorageStats stats() {
    return new StorageStats(0, 0, 0, 0, 0);
  }

  /**
   * What this store depends on and could not reach at its last check, named for {@code /readyz}
   * ("database (PostgreSQL) unavailable: ..."), or empty. Never blocks (the event loop asks): a
   * store with remote parts checks them in the background. Local stores have nothing to report.
   */
  default java.util.Optional<String> unavailable() {
    return java.util.Optional.empty();
  }

  /**
   * Gives the disk space of deleted blobs back to the file system; slow (it rewrites what is
   * still live next to what was deleted), so {@code reprox gc} calls it once after a sweep.
   * Returns a note on what it did, for the log.
   */
  default String reclaimSpace() throws IOException {
    return "nothing to reclaim";
  }

  /** Flushes and releases everything; idempotent. */
  @Override
  void close();
}
