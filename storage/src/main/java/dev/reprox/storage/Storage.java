package dev.reprox.storage;

/** The whole store: blobs, aliases, observations, pins and path listings, closed together. */
public interface Storage extends AutoCloseable {
  BlobStore blobs();

  Aliases aliases();

  Observations observations();

  Pins pins();

  PathIndex paths();

  /** Flushes and releases everything; idempotent. */
  @Override
  void close();
}
