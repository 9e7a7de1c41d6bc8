package dev.reprox.storage.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A buffer shared by a cache and the readers lending out of it: the cache holds one reference,
 * each reader one more, and the last {@link #release} hands the buffer to {@link #free} (back to a
 * pool, or its direct memory freed at once). {@link #retain} fails once the count reached zero, so a
 * reader never gets a buffer that is being refilled or freed. The RocksDB store's chunk cache and
 * the shared store's hot chunks both use it.
 */
public abstract class CountedBuffer {
  /** The bytes; position 0 and limit = their length. */
  public final ByteBuffer data;
  private final AtomicInteger refs = new AtomicInteger(1);

  protected CountedBuffer(ByteBuffer data) {
    this.data = data;
  }

  /** One more reference, unless the last one is already gone. */
  public final boolean retain() {
    for (int r = refs.get(); r > 0; r = refs.get()) {
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
    return false;
  }

  /** Drops one reference; the last one frees the buffer. */
  public final void release() {
    if (refs.decrementAndGet() == 0) {
      free(data);
    }
  }

  /** What becomes of the buffer once nobody holds it. */
  protected abstract void free(ByteBuffer data);
}
