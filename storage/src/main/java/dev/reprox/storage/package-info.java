/**
 * Content-addressed storage for reprox: blobs identified by SHA-256, aliases from the other hashes
 * that package formats use, root-index observations keyed by publication time, pins, and the
 * path listings of sub-indexes. {@link dev.reprox.storage.Storage} is the whole surface; RocksDB
 * and memory implementations are built with {@code RocksStorage.builder()} and
 * {@code MemoryStorage.builder()} and pass the same contract suites.
 */
package dev.reprox.storage;
