package dev.reprox.server.fetch;

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

  @Override
  void close();
}
