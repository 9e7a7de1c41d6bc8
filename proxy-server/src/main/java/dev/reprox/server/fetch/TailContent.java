package dev.reprox.server.fetch;

import dev.reprox.storage.TailReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One client's tail of a blob still being written by an upstream fill. When the length is known,
 * the last byte is held back until the blob is committed (its digest and size checked): a client
 * that counts bytes against Content-Length must never hold a complete wrong body, it sees the
 * connection cut one byte short instead.
 */
final class TailContent implements Content {
  private final TailReader tail;
  private final long holdAt;

  /** {@code length}: the body's announced length, or -1 when unknown (then the end is the commit). */
  TailContent(TailReader tail, long length) {
    this.tail = tail;
    this.holdAt = length > 0 ? length - 1 : Long.MAX_VALUE;
  }

  @Override
  public int read(long position, ByteBuffer dst) throws IOException {
    if (tail.committed() != null || holdAt == Long.MAX_VALUE) {
      return tail.read(position, dst);
    }
    if (position >= holdAt) {
      return 0;
    }
    int max = (int) Math.min(dst.remaining(), holdAt - position);
    ByteBuffer view = dst.slice();
    view.limit(max);
    int n = tail.read(position, view);
    if (n > 0) {
      dst.position(dst.position() + n);
    }
    return n;
  }

  @Override
  public CompletableFuture<?> whenReadable(long position) {
    if (holdAt != Long.MAX_VALUE && position >= holdAt && tail.committed() == null) {
      return tail.whenReadable(holdAt + 1); // i.e. when the write ends (or runs long, which fails it)
    }
    return tail.whenReadable(position);
  }

  /** Stops this client's waits; the fill goes on for the others and the store. */
  @Override
  public void close() {
    tail.close();
  }
}
