package dev.reprox.storage;

/**
 * Counters for metrics and the status page. {@code blobCount} and {@code blobBytes} are what the
 * store holds now (counted when it opens, kept up to date by commits and deletes). {@code
 * dedupCommits} and {@code dedupBytes} count, since the store opened, the finished writes whose
 * content was already stored (the write is dropped, nothing new is kept): the bytes a content
 * address saved on disk. The hot-chunk cache figures are zeros for implementations without one.
 */
public record StorageStats(long blobCount, long blobBytes, long cacheHits, long cacheMisses, long cacheBytes,
    long dedupCommits, long dedupBytes) {

  /** Without deduplication figures (implementations that do not count them). */
  public StorageStats(long blobCount, long blobBytes, long cacheHits, long cacheMisses, long cacheBytes) {
    this(blobCount, blobBytes, cacheHits, cacheMisses, cacheBytes, 0, 0);
  }
}
