/**
 * The RocksDB store: blob chunks in a BlobDB column family, everything else in small keys whose
 * layout {@link dev.reprox.storage.rocks.Keys} draws. Only {@link dev.reprox.storage.rocks.RocksStorage}
 * and its builder are public; the rest is package-private.
 */
package dev.reprox.storage.rocks;
