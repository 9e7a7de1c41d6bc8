package dev.reprox.server.http;

import static dev.reprox.server.LogSafe.escape;

import dev.reprox.server.fetch.Content;
import dev.reprox.storage.LentBytes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one {@link Content} to the channel. Bytes the store holds in memory (its hot cache) are
 * lent to the socket as they are, on the event loop, without a copy or a thread hop; anything
 * else is read on the storage executor, lent when the store can (a buffer it owns), else copied
 * into a recycled direct buffer ({@link ChunkBuffers}). Lent memory goes back to the store when
 * its buffer is released ({@link LentByteBuf}). The next read starts only while the channel is
 * writable, so a slow client holds back reading instead of filling memory. A body that fails, or
 * ends short of the length promised in the headers, closes the connection: the client sees a
 * failure, never a complete wrong response. All state lives on the channel's event loop.
 *
 * <p>Over 250 lines: it is one state machine (idle, reading, waiting, done) whose every step, on
 * the loop or on the storage executor, reads and moves the same state and position; split, each
 * part would have to re-check the other's state to know whether the response already ended.
 */
final class BodyWriter {
  static final int CHUNK = 256 * 1024;
  private static final Logger log = LoggerFactory.getLogger(BodyWriter.class);

  /** Told once when the response has ended; {@code complete} is false when it was cut. */
  interface Listener {
    void ended(long bytesSent, boolean complete);
  }

  private enum State { IDLE, READING, WAITING, DONE }

  private final ChannelHandlerContext ctx;
  private final Content content;
  private final Executor storageExecutor;
  private final ChunkBuffers chunks;
  private final long start;
  private final long end; // exclusive; -1 when the length is unknown (read to the end)
  private final Listener listener;
  /** The head still to be written before the body's first piece, or null. */
  private HttpResponse head;
  private long position;
  private State state = State.IDLE;
  private boolean contentClosed;
  private boolean pumping;
  private boolean pumpAgain;
  // The last read got fewer bytes than it asked for: the body (a fill's tail) may have no more yet.
  private boolean caughtUp;

  BodyWriter(ChannelHandlerContext ctx, Content content, Executor storageExecutor, ChunkBuffers chunks, long start,
      long end, Listener listener) {
    this(ctx, content, storageExecutor, chunks, start, end, null, listener);
  }

  /**
   * {@code head}: the response's head, not yet written, to go out before the first piece of the
   * body; or null when it has been written already.
   */
  BodyWriter(ChannelHandlerContext ctx, Content content, Executor storageExecutor, ChunkBuffers chunks, long start,
      long end, HttpResponse head, Listener listener) {
    this.head = head;
    this.ctx = ctx;
    this.chunks = chunks;
    this.content = content;
    this.storageExecutor = storageExecutor;
    this.start = start;
    this.end = end;
    this.position = start;
    this.listener = listener;
  }

  void start() {
    pump();
  }

  /** The channel became writable again (or not): resume if we were held back. */
  void writabilityChanged() {
    pump();
  }

  /** The client went away: stop, release the reader; the fill (if any) goes on. */
  void cancel() {
    if (state == State.DONE) {
      return;
    }
    boolean reading = state == State.READING;
    state = State.DONE;
    if (!reading) {
      closeContent();
    }
    listener.ended(position - start, false);
  }

  /**
   * Writes and flushes can change writability at once, which calls back into here: a nested call
   * only asks the running one to go round again, so a hot body never recurses chunk by chunk.
   */
  private void pump() {
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        pumpOnce();
      } while (pumpAgain);
    } finally {
      pumping = false;
    }
  }

  private void pumpOnce() {
    boolean wrote = false;
    while (state == State.IDLE && ctx.channel().isWritable()) {
      if (end >= 0 && position >= end) {
        finish();
        return;
      }
      LentBytes hot = end >= 0 ? lendIfHot(position, (int) Math.min(Integer.MAX_VALUE, end - position)) : null;
      if (hot == null) {
        break;
      }
      writeLent(hot);
      wrote = true;
    }
    if (wrote) {
      ctx.flush(); // may make room again: then go round, the next chunk may be hot too
      pumpAgain |= state == State.IDLE && ctx.channel().isWritable();
      return;
    }
    if (state != State.IDLE || !ctx.channel().isWritable()) {
      return;
    }
    if (caughtUp) {
      // The last read took all there was (a tail at its fill's edge): wait here for more rather
      // than send a read to the storage executor that would find nothing and come back to wait.
      caughtUp = false;
      CompletableFuture<?> ready = content.whenReadable(position);
      if (!ready.isDone()) {
        waitFor(ready);
        return;
      }
    }
    long at = position;
    boolean lend = end >= 0;
    int want = lend ? (int) Math.min(Integer.MAX_VALUE, end - position) : CHUNK;
    state = State.READING;
    try {
      storageExecutor.execute(() -> {
        if (lend) {
          lendAt(at, want);
        } else {
          readAt(at, want);
        }
      });
    } catch (RejectedExecutionException e) {
      state = State.IDLE;
      abort("storage executor refused the read");
    }
  }

  private LentBytes lendIfHot(long at, int want) {
    try {
      return content.lendIfHot(at, want);
    } catch (RuntimeException e) {
      return null; // the storage executor's read will meet (and report) whatever this was
    }
  }

  /** On the storage executor; falls back to a copying read when the content cannot lend. */
  private void lendAt(long at, int want) {
    LentBytes lent;
    try {
      lent = content.lend(at, want);
    } catch (Throwable e) {
      onLoop(() -> afterRead(() -> abort("read failed: " + e)));
      return;
    }
    if (lent == null) {
      readAt(at, Math.min(want, CHUNK));
      return;
    }
    if (!onLoop(() -> {
      if (state == State.DONE) {
        lent.release();
        closeContent();
        return;
      }
      state = State.IDLE;
      writeLent(lent);
      ctx.flush();
      pump();
    })) {
      lent.release();
    }
  }

  /**
   * Writes a lent view (not flushed); the store gets it back once the socket is done with it. The
   * last piece of a body goes out as the last HTTP content, which ends the response.
   */
  private void writeLent(LentBytes lent) {
    ByteBuf buf = new LentByteBuf(ctx.alloc(), lent);
    int n = buf.readableBytes();
    position += n;
    boolean last = end >= 0 && position >= end;
    HttpContent message;
    if (last && head != null) {
      // The whole body in one piece (a hot small file): head and body as one message, one pass
      // through the pipeline and one promise instead of two of each (issue 14).
      message = new DefaultFullHttpResponse(head.protocolVersion(), head.status(), buf, head.headers(),
          EmptyHttpHeaders.INSTANCE);
      head = null;
    } else {
      writeHead();
      message = last ? new DefaultLastHttpContent(buf) : new DefaultHttpContent(buf);
    }
    ChannelFuture written = ctx.write(message);
    written.addListener(f -> {
      if (!f.isSuccess()) {
        abort("write failed: " + f.cause());
      }
    });
    if (last) {
      if (state == State.DONE) {
        return; // the write failed at once: abort has ended the response
      }
      state = State.DONE;
      closeContent();
      written.addListener(f -> listener.ended(position - start, f.isSuccess()));
    }
  }

  /** On the storage executor. */
  private void readAt(long at, int want) {
    ByteBuf buf = chunks.take(ctx.alloc());
    int n;
    try {
      n = content.read(at, buf.nioBuffer(0, want));
    } catch (Throwable e) {
      buf.release();
      onLoop(() -> afterRead(() -> abort("read failed: " + e)));
      return;
    }
    if (n > 0) {
      buf.writerIndex(n);
      boolean drained = n < want;
      if (!onLoop(() -> {
        if (state == State.DONE) {
          buf.release();
          closeContent();
          return;
        }
        state = State.IDLE;
        caughtUp = drained;
        write(buf, n);
      })) {
        buf.release();
      }
      return;
    }
    buf.release();
    if (n < 0) {
      onLoop(() -> afterRead(this::reachedEnd));
      return;
    }
    onLoop(() -> afterRead(() -> waitFor(content.whenReadable(at))));
  }

  /** On the loop: idle until {@code ready} (more bytes, or the end) completes; a failure cuts the response. */
  private void waitFor(CompletableFuture<?> ready) {
    state = State.WAITING;
    ready.whenComplete((v, e) -> onLoop(() -> {
      if (state != State.WAITING) {
        return;
      }
      state = State.IDLE;
      if (e != null) {
        abort("upstream fill failed: " + e);
      } else {
        pump();
      }
    }));
  }

  private void afterRead(Runnable next) {
    if (state == State.DONE) {
      closeContent();
      return;
    }
    state = State.IDLE;
    next.run();
  }

  private void write(ByteBuf buf, int n) {
    writeHead();
    position += n;
    ctx.writeAndFlush(new DefaultHttpContent(buf)).addListener(f -> {
      if (!f.isSuccess()) {
        abort("write failed: " + f.cause());
      }
    });
    pump();
  }

  private void reachedEnd() {
    if (end >= 0 && position < end) {
      abort("body ended at " + position + " of " + end + " bytes");
      return;
    }
    finish();
  }

  /** Writes the head, if it is still waiting for the body's first piece (not flushed). */
  private void writeHead() {
    if (head != null) {
      ctx.write(head);
      head = null;
    }
  }

  private void finish() {
    writeHead();
    state = State.DONE;
    closeContent();
    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
        .addListener(f -> listener.ended(position - start, f.isSuccess()));
  }

  private void abort(String reason) {
    if (state == State.DONE) {
      return;
    }
    log.debug("response to {} cut: {}", ctx.channel().remoteAddress(), escape(reason));
    boolean reading = state == State.READING;
    state = State.DONE;
    if (!reading) {
      closeContent();
    }
    ctx.close();
    listener.ended(position - start, false);
  }

  /** Content readers never block on close (a tail only drops its waits): done on the loop. */
  private void closeContent() {
    if (contentClosed) {
      return;
    }
    contentClosed = true;
    try {
      content.close();
    } catch (RuntimeException e) {
      log.debug("closing the body of {} failed: {}", ctx.channel().remoteAddress(), e.toString());
    }
  }

  private boolean onLoop(Runnable task) {
    try {
      ctx.executor().execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      // The event loop is gone (shutdown): nothing left to write to.
      return false;
    }
  }
}
