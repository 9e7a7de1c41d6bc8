package dev.reprox.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Follows a blob that is still being written. Used by the proxy to stream one upstream fill to
 * many clients at once: each client reads what has arrived, then waits for
 * {@link #whenReadable(long)} without holding a thread.
 */
public interface TailReader extends AutoCloseable {
  /**
   * Reads bytes at {@code position} that have already been written; returns how many, 0 when
   * nothing past {@code position} is written yet, or -1 when the write is committed and
   * {@code position >= size}. Throws {@link WriteCancelledException} if the write was cancelled
   * (including a failed commit).
   */
  int read(long position, ByteBuffer dst) throws IOException;

  /**
   * Completes once bytes beyond {@code position} can be read, or the write has ended (committed:
   * completes normally; cancelled: completes exceptionally with {@link WriteCancelledException}).
   * Completes with the number of bytes written at that moment. Never completes on the writer's
   * thread while holding a lock; callers may complete synchronously.
   */
  CompletableFuture<Long> whenReadable(long position);

  /** The committed blob once the write has committed, else null. */
  BlobInfo committed();

  @Override
  void close();
}
