package dev.reprox.storage;

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

  /** Flushes and releases everything; idempotent. */
  @Override
  void close();
}
