package dev.reprox.storage;

/**
 * Counters for metrics and the status page. {@code blobCount} and {@code blobBytes} are what the
 * store holds now (counted when it opens, kept up to date by commits and deletes). {@code
 * dedupCommits} and {@code dedupBytes} count, since the store opened, the finished writes whose
 * content was already stored (the write is dropped, nothing new is kept): the bytes a content
 * address saved on disk. The hot-chunk cache figures are zeros for implementations without one.
 * {@code blobFileBytes}: the part of {@code blobBytes} kept as one file a blob beside the database
 * ({@link #BLOB_FILES_DIRECTORY} in the store's directory), so a walker of the data directory
 * takes their size from here instead of a stat of every file; 0 where blobs are not files.
 */
public record StorageStats(long blobCount, long blobBytes, long cacheHits, long cacheMisses, long cacheBytes,
    long dedupCommits, long dedupBytes, long blobFileBytes) {
  /** The directory, inside a store's own, that holds its blob files. */
  public static final String BLOB_FILES_DIRECTORY = "blob-files";

  /** Without blob files. */
  public StorageStats(long blobCount, long blobBytes, long cacheHits, long cacheMisses, long cacheBytes,
      long dedupCommits, long dedupBytes) {
    this(blobCount, blobBytes, cacheHits, cacheMisses, cacheBytes, dedupCommits, dedupBytes, 0);
  }

  /** Without deduplication figures (implementations that do not count them). */
  public StorageStats(long blobCount, long blobBytes, long cacheHits, long cacheMisses, long cacheBytes) {
    this(blobCount, blobBytes, cacheHits, cacheMisses, cacheBytes, 0, 0);
  }
}
