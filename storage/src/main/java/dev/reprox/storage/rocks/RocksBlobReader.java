package dev.reprox.storage.rocks;

import dev.reprox.storage.BlobReader;
import dev.reprox.storage.Digest;
import dev.reprox.storage.LentBytes;
import dev.reprox.storage.rocks.Values.BlobEntry;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Positional reads of one committed blob; stateless, so thread-safe. */
final class RocksBlobReader implements BlobReader {
  private final RocksBlobStore store;
  private final BlobEntry entry;

  RocksBlobReader(RocksBlobStore store, BlobEntry entry) {
    this.store = store;
    this.entry = entry;
  }

  @Override
  public Digest digest() {
    return entry.info().digest();
  }

  @Override
  public long size() {
    return entry.info().size();
  }

  @Override
  public int read(long position, ByteBuffer dst) throws IOException {
    return store.read(entry, position, dst);
  }

  @Override
  public LentBytes lendIfHot(long position, int max) {
    return store.lendIfHot(entry, position, max);
  }

  @Override
  public LentBytes lend(long position, int max) throws IOException {
    return store.lend(entry, position, max);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      store.release(entry.id());
    }
  }

  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
}
