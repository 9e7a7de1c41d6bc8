package dev.reprox.storage.rocks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.reprox.storage.internal.CountedBuffer;
import dev.reprox.storage.internal.DirectMemory;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hot chunks off-heap: direct buffers in a Caffeine cache bounded by bytes. An evicted buffer goes
 * back to a small pool once the last reader copying out of it lets go (reference counts), so a
 * busy store neither churns direct memory nor hands a reader a buffer that is being refilled.
 */
final class ChunkCache {
  record Key(long id, long index) {}

  /** One cached chunk; back to the pool when the last holder lets go. */
  final class Chunk extends CountedBuffer {
    Chunk(ByteBuffer data) {
      super(data);
    }

    @Override
    protected void free(ByteBuffer data) {
      recycle(data);
    }
  }

  private final int bufferSize;
  private final int poolLimit;
  private final Cache<Key, Chunk> cache;
  private final Cache<Key, Boolean> ghosts;
  private final boolean enabled;
  private final ConcurrentLinkedDeque<ByteBuffer> pool = new ConcurrentLinkedDeque<>();
  private final AtomicInteger pooled = new AtomicInteger();
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  ChunkCache(long maxBytes, int bufferSize) {
    this.bufferSize = bufferSize;
    // Idle buffers cost RSS; a miss beyond the pool allocates and frees at once (DirectMemory).
    this.poolLimit = (int) Math.max(4, Math.min(64, maxBytes / bufferSize / 8));
    this.enabled = maxBytes >= bufferSize;
    this.ghosts = Caffeine.newBuilder().maximumSize(Math.max(16, 2 * maxBytes / bufferSize)).build();
    this.cache = Caffeine.newBuilder()
        .maximumWeight(Math.max(0, maxBytes))
        .weigher((Key k, Chunk c) -> c.data.capacity())
        .executor(Runnable::run)
        .removalListener((Key k, Chunk c, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
          if (c != null) {
            c.release();
          }
        })
        .build();
  }

  /**
   * Whether a chunk that just missed should be admitted. A chunk read once (a client streaming a
   * package) is not worth a copy into the cache; one that misses again soon after is, so the
   * first miss only leaves a trace in a small key-only "ghost" cache.
   */
  boolean admitOnMiss(Key key) {
    if (!enabled) {
      return false;
    }
    if (ghosts.asMap().remove(key) != null) {
      return true;
    }
    ghosts.put(key, Boolean.TRUE);
    return false;
  }

  /** The cached chunk, retained (call {@link Chunk#release()}), or null. */
  Chunk get(Key key) {
    Chunk c = cache.getIfPresent(key);
    if (c != null && c.retain()) {
      hits.incrementAndGet();
      return c;
    }
    misses.incrementAndGet();
    return null;
  }

  /** The cached chunk, retained, or null; a miss here is not counted (the caller reads next). */
  Chunk peek(Key key) {
    Chunk c = cache.getIfPresent(key);
    if (c != null && c.retain()) {
      hits.incrementAndGet();
      return c;
    }
    return null;
  }

  /** A chunk for one reader only, not cached; its buffer goes back to the pool on release. */
  Chunk loose(ByteBuffer data) {
    return new Chunk(data);
  }

  /**
   * Offers a freshly read chunk; returns the chunk that is now cached (ours or a racing reader's),
   * retained for the caller.
   */
  Chunk put(Key key, ByteBuffer data) {
    Chunk fresh = new Chunk(data);
    if (!enabled) {
      return fresh; // the caller's release recycles it
    }
    fresh.retain();
    Chunk existing = cache.asMap().putIfAbsent(key, fresh);
    if (existing != null && existing.retain()) {
      fresh.release();
      fresh.release();
      return existing;
    }
    return fresh;
  }

  void invalidate(Key key) {
    cache.invalidate(key);
  }

  /** A direct buffer of at least {@code size} bytes, from the pool when it fits. */
  ByteBuffer acquire(int size) {
    if (size <= bufferSize) {
      ByteBuffer b = pool.poll();
      if (b != null) {
        pooled.decrementAndGet();
        return b.clear().limit(size);
      }
      return ByteBuffer.allocateDirect(bufferSize).limit(size);
    }
    return ByteBuffer.allocateDirect(size);
  }

  /**
   * Returns a buffer from {@link #acquire}; freed at once when the pool is full, since lent
   * buffers come back in bursts and waiting for the garbage collector to free direct memory is
   * what runs a small heap out of it.
   */
  void recycle(ByteBuffer b) {
    if (b.capacity() == bufferSize && pooled.incrementAndGet() <= poolLimit) {
      pool.push(b);
      return;
    }
    if (b.capacity() == bufferSize) {
      pooled.decrementAndGet();
    }
    DirectMemory.free(b);
  }

  long hits() {
    return hits.get();
  }

  long misses() {
    return misses.get();
  }

  long weightedBytes() {
    return cache.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
  }
}
