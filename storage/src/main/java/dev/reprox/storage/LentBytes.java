package dev.reprox.storage;

import java.nio.ByteBuffer;

/**
 * Bytes of a blob lent without a copy: a view of the store's own memory (a hot-cache chunk, or a
 * buffer the read filled), valid until {@link #release()}. The serving path hands the view to the
 * socket as it is and releases it once the write has completed, so a hot body crosses user space
 * once instead of three times. Never modify the buffer; release exactly once.
 */
public interface LentBytes {
  /** The bytes, from position 0 to the limit; a direct buffer for the stores that serve. */
  ByteBuffer buffer();

  /** Gives the memory back; the buffer must not be touched afterwards. */
  void release();

  /** Bytes owned by nobody else (a copy): releasing them does nothing. */
  static LentBytes copied(ByteBuffer buffer) {
    return new LentBytes() {
      @Override
      public ByteBuffer buffer() {
        return buffer;
      }

      @Override
      public void release() {
        // Nothing shared: the garbage collector takes the copy.
      }
    };
  }
}
