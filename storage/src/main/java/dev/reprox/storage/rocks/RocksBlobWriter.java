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
import java.nio.channels.FileChannel;
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
 * <p>File tier ({@code fileThreshold >= 0}): the first {@code fileThreshold} bytes are buffered
 * as above; a write that outgrows them spills: its file is created (after the in-progress marker,
 * which {@link RocksBlobStore#newWriter} wrote), gets the buffer, and every later {@link #write}
 * goes straight to it through a {@link FileChannel}. Its commit forces the file and its directory,
 * then writes the entry ("file") in the synced batch; no chunk, no flush. A blob that never
 * outgrew the buffer commits as one chunk, as before. Tails read the file positionally through a
 * read-only {@link BlobFile} of their own (an interrupted tail closes that, not the writer's
 * channel).
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
  /** Spill to a file past this many bytes; -1: never. At most one chunk. */
  private final int fileThreshold;
  /** The blob's file once spilled, until the write ends; guarded by {@code bufferLock} for tails. */
  private FileChannel channel;
  /** Tails' read-only view of the file; guarded by {@code bufferLock}. */
  private BlobFile tailFile;
  private long flushedChunks;
  private long written;
  private State state = State.OPEN;
  private volatile BlobEntry committedEntry;

  RocksBlobWriter(RocksBlobStore store, long id, int chunkSize, int fileThreshold) {
    this.store = store;
    this.id = id;
    this.chunkSize = chunkSize;
    this.fileThreshold = fileThreshold;
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
      if (channel == null && fileThreshold >= 0 && written + src.remaining() > fileThreshold) {
        spill();
      }
      if (channel != null) {
        int n = src.remaining();
        while (src.hasRemaining()) {
          channel.write(src);
        }
        written += n;
      }
      while (src.hasRemaining()) {
        int n = Math.min(src.remaining(), buffer.remaining());
        synchronized (bufferLock) {
          buffer.put(src.duplicate().limit(src.position() + n));
        }
        src.position(src.position() + n);
        written += n;
        if (!buffer.hasRemaining() && fileThreshold < 0) {
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

  /**
   * Moves the write to its file: the buffered bytes first, then the buffer back to the pool.
   * Under {@code writeLock}.
   */
  private void spill() throws IOException {
    FileChannel ch = store.files.create(id);
    try {
      ByteBuffer head = buffer.duplicate().flip();
      while (head.hasRemaining()) {
        ch.write(head);
      }
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    ByteBuffer b;
    synchronized (bufferLock) {
      channel = ch;
      tailFile = new BlobFile(store.files.path(id));
      b = buffer;
      buffer = null;
    }
    store.cache().recycle(b);
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
          ByteBuffer last = buffer != null && buffer.position() > 0 ? buffer.duplicate().flip() : null;
          try {
            // Checked: the caller may release the body now; the flush and synced write below
            // only make it durable (a crash from here leaves the in-progress marker: nothing).
            verified.accept(actual, written);
            if (channel != null) {
              // The file and its name are durable before the entry that names them.
              channel.force(false);
              store.files.syncEntry(id);
              committedEntry = store.commit(id, actual, written, null, 0, true);
            } else {
              if (flushedChunks > loggedChunks) {
                store.flushChunks(actual);
              }
              committedEntry = store.commit(id, actual, written, last, flushedChunks, false);
            }
          } catch (IOException e) {
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
   * Gives the chunk buffer back to the pool and closes the file once the write is over (state no
   * longer OPEN, so no write touches them again); a tail reading after this finds them gone under
   * {@code bufferLock}.
   */
  private void releaseBuffer() {
    ByteBuffer b;
    FileChannel ch;
    BlobFile tf;
    synchronized (bufferLock) {
      b = buffer;
      buffer = null;
      ch = channel;
      channel = null;
      tf = tailFile;
      tailFile = null;
    }
    if (b != null) {
      store.cache().recycle(b);
    }
    if (tf != null) {
      tf.close();
    }
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // Forced already when committed; when cancelled, the file goes anyway.
      }
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
    BlobFile file;
    synchronized (bufferLock) {
      file = tailFile;
      if (file == null) {
        if (buffer == null) {
          ended = committedEntry;
          if (ended == null) {
            throw new StorageException("read: write " + id + " was cancelled");
          }
        } else if (index >= flushedChunks) {
          int n = (int) Math.min(dst.remaining(), limit - position);
          dst.put(buffer.duplicate().position(offset).limit(offset + n));
          return n;
        }
      }
    }
    if (file != null) {
      return readFile(file, position, dst, limit);
    }
    if (ended != null) {
      // The write was committed between the tail's look at its progress and this read: the
      // buffer is back in the pool, so the bytes come from the committed blob (maybe an older
      // entry of the same content).
      return store.read(ended, position, dst);
    }
    return store.readChunk(id, index, chunkSize, offset, dst, "write " + id);
  }

  /** A tail's read of the spilled file, below {@code limit} (bytes whose write has returned). */
  private int readFile(BlobFile file, long position, ByteBuffer dst, long limit) throws IOException {
    try {
      int n = (int) Math.min(dst.remaining(), limit - position);
      ByteBuffer view = dst.duplicate();
      view.limit(view.position() + n);
      int r = file.read(view, position);
      if (r < 0) {
        throw new StorageException("read: blob file of write " + id + " ends before " + limit);
      }
      dst.position(dst.position() + r);
      return r;
    } catch (IOException e) {
      // Ended meanwhile: committed (read the blob) or cancelled (the tail says so).
      BlobEntry ended = committedEntry;
      if (ended == null) {
        throw e;
      }
      return store.read(ended, position, dst);
    }
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
