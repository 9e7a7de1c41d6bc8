package dev.reprox.storage.shared;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.reprox.storage.Digest;
import dev.reprox.storage.LentBytes;
import dev.reprox.storage.internal.CountedBuffer;
import dev.reprox.storage.internal.DirectMemory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chunks of local copies lent to the serving path, as the RocksDB store's chunk cache does: a warm
 * hit lends cached bytes on the event loop ({@link dev.reprox.storage.BlobReader#lendIfHot})
 * instead of a thread hop and a file read per chunk. Bounded by bytes; a chunk is admitted on its
 * second miss within a while (the first only leaves a key in a small "ghost" cache), so one client
 * streaming a package does not push the hot set out.
 *
 * <p>Every chunk is a direct buffer with a reference count (the cache's, and one per lent view):
 * the last release frees it at once. Waiting for the garbage collector to free direct memory is what
 * starved a small heap here (50 MB bodies at 8 MB/s with {@code -Xmx256m} when each lend allocated
 * a buffer and left it to the collector). Keys are digests, so a cached chunk is never stale: the
 * same digest is the same bytes whichever replica wrote them.
 */
final class HotChunks {
  record Key(Digest digest, long index) {}

  /** One chunk and its holders; its direct memory is freed when the last one lets go. */
  static final class Chunk extends CountedBuffer {
    Chunk(ByteBuffer data) {
      super(data);
    }

    @Override
    protected void free(ByteBuffer data) {
      DirectMemory.free(data);
    }
  }

  private final Cache<Key, Chunk> chunks;
  private final Cache<Key, Boolean> ghosts;
  private final boolean enabled;

  HotChunks(long maxBytes, int chunkSize) {
    this.enabled = maxBytes >= chunkSize;
    this.chunks = Caffeine.newBuilder()
        .maximumWeight(Math.max(0, maxBytes))
        .weigher((Key k, Chunk c) -> c.data.capacity())
        .executor(Runnable::run) // no maintenance on the common pool
        .removalListener((Key k, Chunk c, RemovalCause cause) -> {
          if (c != null) {
            c.release();
          }
        })
        .build();
    this.ghosts = Caffeine.newBuilder().maximumSize(Math.max(16, 2 * maxBytes / chunkSize)).build();
  }

  /** A view of the cached chunk holding {@code position}, or null; never blocks. */
  LentBytes lendIfHot(Digest digest, long size, int chunkSize, long position, int max) {
    if (!enabled || position < 0 || position >= size || max <= 0) {
      return null;
    }
    long index = position / chunkSize;
    Chunk c = chunks.getIfPresent(new Key(digest, index));
    return c != null && c.retain() ? view(c, (int) (position - index * chunkSize), max) : null;
  }

  /**
   * The bytes at {@code position}: a view of the cached chunk, or of the whole chunk read from
   * {@code channel} (cached when it missed recently). Null at the end. May block.
   */
  LentBytes lend(Digest digest, long size, int chunkSize, FileChannel channel, long position, int max)
      throws IOException {
    if (position >= size) {
      return null;
    }
    long index = position / chunkSize;
    int offset = (int) (position - index * chunkSize);
    Key key = new Key(digest, index);
    Chunk cached = enabled ? chunks.getIfPresent(key) : null;
    if (cached != null && cached.retain()) {
      return view(cached, offset, max);
    }
    long start = index * chunkSize;
    ByteBuffer read = ByteBuffer.allocateDirect((int) Math.min(chunkSize, size - start));
    Chunk fresh = new Chunk(read);
    try {
      FileBlobReader.read(channel, start, read, size, chunkSize);
      if (read.hasRemaining()) {
        throw new IOException("read " + digest + ": chunk " + index + " ends early");
      }
    } catch (IOException | RuntimeException e) {
      fresh.release();
      throw e;
    }
    read.flip();
    if (admit(key)) {
      fresh.retain(); // the cache's reference, on top of this lend's
      Chunk raced = chunks.asMap().putIfAbsent(key, fresh);
      if (raced != null) {
        fresh.release(); // not cached after all
        if (raced.retain()) {
          fresh.release();
          return view(raced, offset, max);
        }
      }
    }
    return view(fresh, offset, max);
  }

  /** Forgets the chunks of a deleted blob (memory only: the same digest is the same bytes). */
  void invalidate(Digest digest, long size, int chunkSize) {
    for (long i = 0; i * chunkSize < size; i++) {
      chunks.invalidate(new Key(digest, i));
    }
  }

  /** Bytes held by the cache, for tests. */
  long weightedBytes() {
    return chunks.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
  }

  private boolean admit(Key key) {
    if (!enabled) {
      return false;
    }
    if (ghosts.asMap().remove(key) != null) {
      return true;
    }
    ghosts.put(key, Boolean.TRUE);
    return false;
  }

  /** A view of {@code c} (already retained for it) released back to {@code c}. */
  private static LentBytes view(Chunk c, int offset, int max) {
    ByteBuffer v = c.data.duplicate();
    v.position(offset).limit((int) Math.min(c.data.limit(), (long) offset + max));
    ByteBuffer slice = v.slice();
    return new LentBytes() {
      private final AtomicInteger released = new AtomicInteger();

      @Override
      public ByteBuffer buffer() {
        return slice;
      }

      @Override
      public void release() {
        if (released.getAndIncrement() == 0) {
          c.release();
        }
      }
    };
  }
}
