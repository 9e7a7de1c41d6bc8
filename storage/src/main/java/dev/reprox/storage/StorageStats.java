package dev.reprox.storage;

/**
 * Counters for metrics: blobs committed (count and bytes, kept since the store opened) and the
 * hot-chunk cache. Implementations without a cache report zeros there.
 */
public record StorageStats(long blobCount, long blobBytes, long cacheHits, long cacheMisses, long cacheBytes) {}
