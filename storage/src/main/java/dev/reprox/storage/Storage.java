package dev.reprox.storage;

/** The whole store: blobs, aliases, observations, pins, path listings and refs, closed together. */
public interface Storage extends AutoCloseable {
  BlobStore blobs();

  Aliases aliases();

  Observations observations();

  Pins pins();

  PathIndex paths();

  Refs refs();

  /** Flushes and releases everything; idempotent. */
  @Override
  void close();
}
