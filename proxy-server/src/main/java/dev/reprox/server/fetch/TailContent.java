package dev.reprox.server.fetch;

import dev.reprox.storage.TailReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One client's tail of a blob still being written by an upstream fill. When the length is known,
 * the last byte is held back until the body passed its size and digest checks ({@code verified},
 * which the commit tells before it makes the blob durable): a client that counts bytes against
 * Content-Length must never hold a complete wrong body, it sees the connection cut one byte short
 * instead. The end of the tail (-1) still waits for the commit.
 */
final class TailContent implements Content {
  private final TailReader tail;
  private final long holdAt;
  private final CompletableFuture<?> verified;

  /**
   * {@code length}: the body's announced length, or -1 when unknown (then the end is the commit).
   * {@code verified}: completes once the body passed its checks; never when it failed them.
   */
  TailContent(TailReader tail, long length, CompletableFuture<?> verified) {
    this.tail = tail;
    this.holdAt = length > 0 ? length - 1 : Long.MAX_VALUE;
    this.verified = verified;
  }

  private boolean held() {
    return holdAt != Long.MAX_VALUE && tail.committed() == null
        && !(verified.isDone() && !verified.isCompletedExceptionally());
  }

  @Override
  public int read(long position, ByteBuffer dst) throws IOException {
    if (!held()) {
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
    if (position >= holdAt && held()) {
      // The write's end (commit, or a cancel that fails the wait) or the checks passing: the
      // held byte is readable after either.
      CompletableFuture<Object> ready = new CompletableFuture<>();
      tail.whenReadable(holdAt + 1).whenComplete((v, e) -> {
        if (e != null) {
          ready.completeExceptionally(e);
        } else {
          ready.complete(v);
        }
      });
      verified.thenRun(() -> ready.complete(null));
      return ready;
    }
    return tail.whenReadable(position);
  }

  /** Stops this client's waits; the fill goes on for the others and the store. */
  @Override
  public void close() {
    tail.close();
  }
}
