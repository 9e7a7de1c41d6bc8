package dev.reprox.storage.rocks;

import dev.reprox.storage.BlobReader;
import dev.reprox.storage.Digest;
import dev.reprox.storage.LentBytes;
import dev.reprox.storage.rocks.Values.BlobEntry;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Positional reads of one committed blob; thread-safe (a file blob's {@link BlobFile} is shared). */
final class RocksBlobReader implements BlobReader {
  private final RocksBlobStore store;
  private final BlobEntry entry;
  /** The blob's file when its entry says so, else null. */
  private final BlobFile file;

  RocksBlobReader(RocksBlobStore store, BlobEntry entry, BlobFile file) {
    this.store = store;
    this.entry = entry;
    this.file = file;
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
    return store.read(entry, file, position, dst);
  }

  @Override
  public LentBytes lendIfHot(long position, int max) {
    return store.lendIfHot(entry, position, max);
  }

  @Override
  public LentBytes lend(long position, int max) throws IOException {
    return store.lend(entry, file, position, max);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      if (file != null) {
        file.close();
      }
      store.release(entry.id());
    }
  }

  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
}
