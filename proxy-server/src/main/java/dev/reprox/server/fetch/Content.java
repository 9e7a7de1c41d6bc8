package dev.reprox.server.fetch;

import dev.reprox.storage.LentBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One client's reader over a {@link Fetched} body: positional reads of what is there, and a
 * future for when more arrives. Reads may block on storage: call them off the event loop.
 */
public interface Content extends AutoCloseable {
  /**
   * Reads bytes at {@code position}: how many, 0 when none are there yet (wait with
   * {@link #whenReadable}), -1 at the end. Throws when the body failed (the client must see a
   * failure, never a complete wrong response).
   */
  int read(long position, ByteBuffer dst) throws IOException;

  /** Completes once {@code position} may be readable or the body ended; fails if it failed. */
  CompletableFuture<?> whenReadable(long position);

  /**
   * The bytes at {@code position} lent without a copy when they are already in memory, else null.
   * Never blocks: the event loop calls it first and goes to the storage executor only on null.
   */
  default LentBytes lendIfHot(long position, int max) {
    return null;
  }

  /**
   * The bytes at {@code position} lent without a copy of ours, or null when this body cannot lend
   * (then use {@link #read}). May block. Throws at the end and where {@link #read} would fail.
   */
  default LentBytes lend(long position, int max) throws IOException {
    return null;
  }

  /** Stops this reader; never blocks. */
  @Override
  void close();
}
