package dev.reprox.storage.rocks;

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
import dev.reprox.storage.rocks.Values.BlobEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Fills a direct buffer of one chunk and puts each full chunk under (id, index) as it fills; the
 * last, partial chunk goes into the commit batch. Tails read flushed chunks from RocksDB and the
 * partial one out of the buffer, under {@code bufferLock}, so they see bytes as soon as
 * {@link #write} returns.
 *
 * <p>Durability: the first {@link #LOGGED_BYTES} go through the WAL, so a small blob
 * costs one synced WAL write at commit. Later chunks skip the WAL (large blobs would otherwise be
 * written twice, WAL then blob file, and CRC'd twice in software); a commit that has such chunks
 * first flushes the chunk family, which syncs them into blob files, and only then writes the
 * entry. A crash loses unlogged chunks, but the in-progress marker is logged, so the next open
 * still deletes whatever of the write survived.
 *
 * <p>Locks: {@code writeLock} serialises write/commit/cancel (a cancel from another thread waits
 * for a write in flight, so no chunk lands after the cancel deleted them); {@code bufferLock}
 * guards the buffer and {@code flushedChunks}. Tails are woken after both are released.
 */
final class RocksBlobWriter implements BlobWriter, TailSource {
  private enum State { OPEN, COMMITTED, CANCELLED }

  /** Bytes written through the WAL before the rest skip it: small blobs need no flush to commit. */
  static final int LOGGED_BYTES = 4 << 20;

  private final RocksBlobStore store;
  private final long id;
  private final int chunkSize;
  private final MessageDigest hasher = Digest.newHasher();
  private final WriteProgress progress = new WriteProgress();
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Object bufferLock = new Object();
  /**
   * The chunk being filled: a pooled buffer ({@link ChunkCache#acquire}), since a fresh 1 MiB
   * direct buffer per write was zeroed, allocated and freed again for every package (issue 11).
   * Back to the pool once the write is committed or cancelled, then null: guarded by {@code
   * bufferLock} for tails, which read a committed blob from the store from then on.
   */
  private ByteBuffer buffer;
  private final long loggedChunks;
  private long flushedChunks;
  private long written;
  private State state = State.OPEN;
  private volatile BlobEntry committedEntry;

  RocksBlobWriter(RocksBlobStore store, long id, int chunkSize) {
    this.store = store;
    this.id = id;
    this.chunkSize = chunkSize;
    this.buffer = store.cache().acquire(chunkSize);
    this.loggedChunks = Math.max(1, LOGGED_BYTES / chunkSize);
  }

  @Override
  public void write(ByteBuffer src) throws IOException {
    long now;
    writeLock.lock();
    try {
      ensureOpen("write");
      hasher.update(src.duplicate());
      while (src.hasRemaining()) {
        int n = Math.min(src.remaining(), buffer.remaining());
        synchronized (bufferLock) {
          buffer.put(src.duplicate().limit(src.position() + n));
        }
        src.position(src.position() + n);
        written += n;
        if (!buffer.hasRemaining()) {
          // The buffer is not changed during the put, so tails may copy from it meanwhile.
          store.putChunk(id, flushedChunks, buffer.duplicate().flip(), flushedChunks < loggedChunks);
          synchronized (bufferLock) {
            flushedChunks++;
            buffer.clear();
          }
        }
      }
      now = written;
    } catch (IOException | RuntimeException e) {
      writeLock.unlock();
      cancel();
      throw e;
    }
    writeLock.unlock();
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
    IOException failure;
    writeLock.lock();
    try {
      ensureOpen("commit");
      failure = expectedSize >= 0 && expectedSize != written ? new SizeMismatchException(expectedSize, written) : null;
      if (failure == null) {
        Digest actual = Digest.of(hasher.digest());
        if (expected != null && !expected.equals(actual)) {
          failure = new DigestMismatchException(expected, actual);
        } else {
          // The partial last chunk goes into the commit batch straight from the direct buffer.
          ByteBuffer last = buffer.position() > 0 ? buffer.duplicate().flip() : null;
          try {
            // Checked: the caller may release the body now; the flush and synced write below
            // only make it durable (a crash from here leaves the in-progress marker: nothing).
            verified.accept(actual, written);
            if (flushedChunks > loggedChunks) {
              store.flushChunks(actual);
            }
            committedEntry = store.commit(id, actual, written, last, flushedChunks);
          } catch (StorageException e) {
            failure = e;
          } catch (RuntimeException e) {
            failure = new StorageException("commit " + actual + ": " + e, e);
          }
          if (failure == null) {
            state = State.COMMITTED;
          }
        }
      }
    } finally {
      writeLock.unlock();
    }
    if (failure != null) {
      cancel(failure.getMessage());
      throw failure;
    }
    store.forget(this);
    try {
      beforeTails.accept(committedEntry.info());
    } finally {
      progress.commit(committedEntry.info());
      releaseBuffer();
    }
    return committedEntry.info();
  }

  @Override
  public void cancel() {
    cancel("write cancelled after " + progress.written() + " bytes");
  }

  private void cancel(String reason) {
    writeLock.lock();
    try {
      if (state != State.OPEN) {
        return;
      }
      state = State.CANCELLED;
    } finally {
      writeLock.unlock();
    }
    progress.cancel(reason);
    releaseBuffer();
    store.forget(this);
    try {
      store.discard(id);
    } catch (StorageException e) {
      // The in-progress marker is still there, so the next open deletes these chunks.
    }
  }

  /** The store is closing: fail the tails, leave the chunks for the next open to delete. */
  void storeClosed() {
    writeLock.lock();
    try {
      if (state != State.OPEN) {
        return;
      }
      state = State.CANCELLED;
    } finally {
      writeLock.unlock();
    }
    progress.cancel("write abandoned: the store was closed");
    releaseBuffer();
  }

  /**
   * Gives the chunk buffer back to the pool once the write is over (state no longer OPEN, so no
   * write touches it again); a tail reading after this finds it gone under {@code bufferLock}.
   */
  private void releaseBuffer() {
    ByteBuffer b;
    synchronized (bufferLock) {
      b = buffer;
      buffer = null;
    }
    if (b != null) {
      store.cache().recycle(b);
    }
  }

  @Override
  public TailReader tail() {
    return new FollowingTailReader(progress, this);
  }

  @Override
  public void close() {
    cancel("write closed without commit after " + progress.written() + " bytes");
  }

  @Override
  public int readWritten(long position, ByteBuffer dst, long limit) throws IOException {
    long index = position / chunkSize;
    int offset = (int) (position % chunkSize);
    BlobEntry ended = null;
    synchronized (bufferLock) {
      if (buffer == null) {
        ended = committedEntry;
      } else if (index >= flushedChunks) {
        int n = (int) Math.min(dst.remaining(), limit - position);
        dst.put(buffer.duplicate().position(offset).limit(offset + n));
        return n;
      }
      if (buffer == null && ended == null) {
        throw new StorageException("read: write " + id + " was cancelled");
      }
    }
    if (ended != null) {
      // The write was committed between the tail's look at its progress and this read: the
      // buffer is back in the pool, so the bytes come from the committed blob (maybe an older
      // entry of the same content).
      return store.read(ended, position, dst);
    }
    return store.readChunk(id, index, chunkSize, offset, dst, "write " + id);
  }

  @Override
  public int readCommitted(BlobInfo committed, long position, ByteBuffer dst) throws IOException {
    // The entry may be an older blob with the same content (then our chunks are gone).
    return store.read(committedEntry, position, dst);
  }

  private void ensureOpen(String op) throws StorageException {
    if (state != State.OPEN) {
      throw new StorageException(op + ": write " + id + " already " + state.name().toLowerCase(java.util.Locale.ROOT));
    }
  }
}
