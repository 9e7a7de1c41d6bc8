package dev.reprox.server.http;

import dev.reprox.server.fetch.Content;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one {@link Content} to the channel. One chunk is read at a time, on the storage
 * executor, into a recycled direct buffer ({@link ChunkBuffers}); the next read starts only
 * while the channel is writable, so a slow client holds back reading instead of filling the
 * heap. A body that fails, or ends short of the length promised in the headers, closes the
 * connection: the client sees a failure, never a complete wrong response. All state lives on
 * the channel's event loop.
 */
final class BodyWriter {
  static final int CHUNK = 256 * 1024;
  /** Shared by all responses: 64 idle chunks (16 MiB) cover the in-flight writes of a busy server. */
  private static final ChunkBuffers CHUNKS = new ChunkBuffers(CHUNK, 64);
  private static final Logger log = LoggerFactory.getLogger(BodyWriter.class);

  /** Told once when the response has ended; {@code complete} is false when it was cut. */
  interface Listener {
    void ended(long bytesSent, boolean complete);
  }

  private enum State { IDLE, READING, WAITING, DONE }

  private final ChannelHandlerContext ctx;
  private final Content content;
  private final Executor storageExecutor;
  private final long start;
  private final long end; // exclusive; -1 when the length is unknown (read to the end)
  private final Listener listener;
  private long position;
  private State state = State.IDLE;
  private boolean contentClosed;

  BodyWriter(ChannelHandlerContext ctx, Content content, Executor storageExecutor, long start, long end,
      Listener listener) {
    this.ctx = ctx;
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

  private void pump() {
    if (state != State.IDLE || !ctx.channel().isWritable()) {
      return;
    }
    if (end >= 0 && position >= end) {
      finish();
      return;
    }
    int want = end >= 0 ? (int) Math.min(CHUNK, end - position) : CHUNK;
    long at = position;
    state = State.READING;
    try {
      storageExecutor.execute(() -> readAt(at, want));
    } catch (RejectedExecutionException e) {
      state = State.IDLE;
      abort("storage executor refused the read");
    }
  }

  /** On the storage executor. */
  private void readAt(long at, int want) {
    ByteBuf buf = CHUNKS.take(ctx.alloc());
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
      if (!onLoop(() -> {
        if (state == State.DONE) {
          buf.release();
          closeContent();
          return;
        }
        state = State.IDLE;
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
    onLoop(() -> afterRead(() -> {
      state = State.WAITING;
      content.whenReadable(at).whenComplete((v, e) -> onLoop(() -> {
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

  private void finish() {
    state = State.DONE;
    closeContent();
    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
        .addListener(f -> listener.ended(position - start, f.isSuccess()));
  }

  private void abort(String reason) {
    if (state == State.DONE) {
      return;
    }
    log.debug("response to {} cut: {}", ctx.channel().remoteAddress(), reason);
    boolean reading = state == State.READING;
    state = State.DONE;
    if (!reading) {
      closeContent();
    }
    ctx.close();
    listener.ended(position - start, false);
  }

  private void closeContent() {
    if (contentClosed) {
      return;
    }
    contentClosed = true;
    try {
      storageExecutor.execute(content::close);
    } catch (RejectedExecutionException e) {
      content.close();
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
