package dev.reprox.storage.rocks;

import dev.reprox.storage.StorageException;
import java.nio.ByteBuffer;

/**
 * Hands out blob ids that are never reused, even across crashes: a high-water mark is stored
 * (synced) a block ahead of the ids in use, so at most one block is skipped per restart.
 */
final class IdAllocator {
  private static final long BLOCK = 1024;

  private final RocksResources rocks;
  private long next;
  private long reserved;

  IdAllocator(RocksResources rocks) throws StorageException {
    this.rocks = rocks;
    byte[] v = rocks.get("open: read next id", rocks.meta, Keys.nextId());
    this.next = v == null ? 1 : ByteBuffer.wrap(v).getLong();
    this.reserved = next;
  }

  synchronized long next() throws StorageException {
    if (next >= reserved) {
      reserved = next + BLOCK;
      rocks.putSynced("newWriter: reserve ids", rocks.meta, Keys.nextId(), Values.longValue(reserved));
    }
    return next++;
  }
}
