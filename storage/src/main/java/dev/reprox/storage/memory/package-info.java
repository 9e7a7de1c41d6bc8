/**
 * The in-memory twin of the RocksDB store: the same interfaces and the same contract suites, with
 * no durability. Fast and dependency-free, for unit tests of everything built on storage.
 */
package dev.reprox.storage.memory;
