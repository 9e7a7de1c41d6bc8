package dev.reprox.server.http;

import dev.reprox.server.fetch.Content;
import dev.reprox.storage.LentBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A prepared small body ({@link PassThrough#prepare}) whose bytes were lent ahead, on the thread
 * that opened it: at the request's turn {@link BodyWriter} finds them as if hot and writes them on
 * the event loop, without the storage executor's hop that would otherwise leave a pipelining
 * client idle between two answers. Only the whole body from its start is lent ahead; a range
 * reads as usual. Bytes not taken go back to the store on close.
 */
final class PrelentContent implements Content {
  /** Bodies up to this size are lent ahead: sixteen queued ones hold at most 4 MiB. */
  static final int MAX = BodyWriter.CHUNK;

  /**
   * What all connections together may hold lent ahead of their turn: a lent body that missed the
   * chunk cache is a buffer of its own, and many pipelining clients at once would otherwise hold
   * 4 MiB each. Past it a body is read at its turn, as without the look-ahead.
   */
  static final long SHARED_BUDGET = 32L << 20;
  private static final AtomicLong SHARED = new AtomicLong(SHARED_BUDGET);

  private final Content inner;
  private final AtomicLong budget;
  private LentBytes ahead;
  private long reserved;

  private PrelentContent(Content inner, LentBytes ahead, AtomicLong budget, long reserved) {
    this.inner = inner;
    this.ahead = ahead;
    this.budget = budget;
    this.reserved = reserved;
  }

  /** {@code content} with its first {@code length} bytes lent now when small; may block. */
  static Content of(Content content, long length) {
    return of(content, length, SHARED);
  }

  /** The same within {@code budget} bytes held ahead (tests). */
  static Content of(Content content, long length, AtomicLong budget) {
    if (length <= 0 || length > MAX) {
      return content;
    }
    if (budget.addAndGet(-length) < 0) {
      budget.addAndGet(length);
      return content;
    }
    LentBytes lent;
    try {
      lent = content.lend(0, (int) length);
    } catch (IOException | RuntimeException e) {
      budget.addAndGet(length);
      return content; // the read at its turn meets (and reports) whatever this was
    }
    if (lent == null) {
      budget.addAndGet(length);
      return content;
    }
    return new PrelentContent(content, lent, budget, length);
  }

  /** Gives the reservation back once the bytes are taken or dropped; call holding the lock. */
  private void unreserve() {
    budget.addAndGet(reserved);
    reserved = 0;
  }

  @Override
  public synchronized LentBytes lendIfHot(long position, int max) {
    LentBytes lent = ahead;
    if (lent != null && position == 0 && lent.buffer().remaining() <= max) {
      ahead = null;
      unreserve(); // the writer's now: one body at a time, as any answer
      return lent;
    }
    return inner.lendIfHot(position, max);
  }

  @Override
  public LentBytes lend(long position, int max) throws IOException {
    return inner.lend(position, max);
  }

  @Override
  public int read(long position, ByteBuffer dst) throws IOException {
    return inner.read(position, dst);
  }

  @Override
  public CompletableFuture<?> whenReadable(long position) {
    return inner.whenReadable(position);
  }

  @Override
  public void close() {
    LentBytes lent;
    synchronized (this) {
      lent = ahead;
      ahead = null;
      unreserve();
    }
    if (lent != null) {
      lent.release();
    }
    inner.close();
  }
}
