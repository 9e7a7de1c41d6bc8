/**
 * Machinery shared by the storage implementations and not part of the storage API: the progress
 * of a write that tail readers follow, the folding of observations into generations, freeing
 * direct buffers at once. Public
 * only because the memory and RocksDB implementations live in their own packages; nothing outside
 * {@code dev.reprox.storage} should use it.
 */
package dev.reprox.storage.internal;
