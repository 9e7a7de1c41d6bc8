package dev.reprox.storage.memory;

import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.DigestMismatchException;
import dev.reprox.storage.SizeMismatchException;
import dev.reprox.storage.StorageException;
import dev.reprox.storage.TailReader;
import dev.reprox.storage.internal.FollowingTailReader;
import dev.reprox.storage.internal.TailSource;
import dev.reprox.storage.internal.WriteProgress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Appends into fixed-size chunk arrays; tails copy out under the same lock. */
final class MemoryBlobWriter implements BlobWriter, TailSource {
  private final MemoryBlobStore store;
  private final int chunkSize;
  private final MessageDigest hasher = Digest.newHasher();
  private final WriteProgress progress = new WriteProgress();
  private final Object lock = new Object();
  private final List<byte[]> chunks = new ArrayList<>();
  private long written;

  MemoryBlobWriter(MemoryBlobStore store, int chunkSize) {
    this.store = store;
    this.chunkSize = chunkSize;
  }

  @Override
  public void write(ByteBuffer src) throws IOException {
    ensureOpen("write");
    hasher.update(src.duplicate());
    long now;
    synchronized (lock) {
      while (src.hasRemaining()) {
        int offset = (int) (written % chunkSize);
        if (offset == 0) {
          chunks.add(new byte[chunkSize]);
        }
        int n = Math.min(src.remaining(), chunkSize - offset);
        src.get(chunks.get(chunks.size() - 1), offset, n);
        written += n;
      }
      now = written;
    }
    progress.advance(now);
  }

  @Override
  public long written() {
    return progress.written();
  }

  @Override
  public BlobInfo commit(Digest expected, long expectedSize, Committed beforeTails) throws IOException {
    return commit(expected, expectedSize, Verified.NONE, beforeTails);
  }

  @Override
  public BlobInfo commit(Digest expected, long expectedSize, Verified verified, Committed beforeTails)
      throws IOException {
    ensureOpen("commit");
    long size = progress.written();
    if (expectedSize >= 0 && expectedSize != size) {
      SizeMismatchException e = new SizeMismatchException(expectedSize, size);
      progress.cancel(e.getMessage());
      throw e;
    }
    Digest actual = Digest.of(hasher.digest());
    if (expected != null && !expected.equals(actual)) {
      DigestMismatchException e = new DigestMismatchException(expected, actual);
      progress.cancel(e.getMessage());
      throw e;
    }
    try {
      verified.accept(actual, size);
    } catch (RuntimeException e) {
      progress.cancel("commit " + actual + ": " + e);
      throw new StorageException("commit " + actual + ": " + e, e);
    }
    List<byte[]> trimmed;
    synchronized (lock) {
      trimmed = new ArrayList<>(chunks);
      int tail = (int) (size % chunkSize);
      if (tail != 0) {
        trimmed.set(trimmed.size() - 1, Arrays.copyOf(trimmed.get(trimmed.size() - 1), tail));
      }
    }
    BlobInfo info = store.commit(actual, size, trimmed);
    try {
      beforeTails.accept(info);
    } finally {
      progress.commit(info);
    }
    return info;
  }

  @Override
  public void cancel() {
    progress.cancel("write cancelled after " + progress.written() + " bytes");
  }

  @Override
  public TailReader tail() {
    return new FollowingTailReader(progress, this);
  }

  @Override
  public void close() {
    if (progress.open()) {
      progress.cancel("write closed without commit after " + progress.written() + " bytes");
    }
  }

  @Override
  public int readWritten(long position, ByteBuffer dst, long limit) {
    synchronized (lock) {
      return MemoryBlobStore.copy(chunks, chunkSize, limit, position, dst);
    }
  }

  @Override
  public int readCommitted(BlobInfo committed, long position, ByteBuffer dst) throws IOException {
    // The bytes are identical whether the commit kept these chunks or found an existing entry.
    return readWritten(position, dst, committed.size());
  }

  private void ensureOpen(String op) throws StorageException {
    if (!progress.open()) {
      throw new StorageException(op + ": writer already " + (progress.cancelled() ? "cancelled" : "committed"));
    }
  }
}
