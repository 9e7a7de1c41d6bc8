package dev.reprox.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * A request body as an {@link InputStream} for a worker thread, with backpressure: the channel's
 * auto-read is off, and the event loop asks for the next socket read only while fewer than
 * {@link #MAX_QUEUED} bytes (or the limit it was made with) wait for the reader, so a bundle of
 * any size streams through a few MiB. The event loop never blocks; the reader waits on this object's monitor.
 */
final class BundleUpload extends InputStream {
  static final long MAX_QUEUED = 4L << 20;

  private final ChannelHandlerContext ctx;
  private final long maxQueued;
  private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
  private long queued;
  private boolean last;
  private boolean cut;
  private boolean closed;
  private boolean reading;

  BundleUpload(ChannelHandlerContext ctx) {
    this(ctx, MAX_QUEUED);
  }

  /** {@code maxQueued}: the bytes read ahead of the reader (a prewarm batch keeps it to a few entries). */
  BundleUpload(ChannelHandlerContext ctx, long maxQueued) {
    this.ctx = ctx;
    this.maxQueued = maxQueued;
  }

  /** Event loop: takes the connection's reads over and asks for the first one. */
  void start() {
    ctx.channel().config().setAutoRead(false);
    requestRead();
  }

  /** Event loop: one piece of the body arrived. */
  void offer(HttpContent piece) {
    synchronized (this) {
      if (closed || cut) {
        return;
      }
      ByteBuf b = piece.content();
      if (b.isReadable()) {
        queue.add(b.retain());
        queued += b.readableBytes();
      }
      if (piece instanceof LastHttpContent) {
        last = true;
      }
      notifyAll();
    }
  }

  /** Event loop: a socket read ended; read on while the reader keeps up. */
  void readComplete() {
    boolean more;
    synchronized (this) {
      reading = false;
      more = !last && !cut && !closed && queued < maxQueued;
    }
    if (more) {
      requestRead();
    }
  }

  /** Any thread: the connection went away; the reader fails. */
  void cut() {
    synchronized (this) {
      cut = true;
      notifyAll();
    }
  }

  /** True once the whole body arrived. */
  synchronized boolean complete() {
    return last;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n <= 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    boolean wantMore;
    int n;
    synchronized (this) {
      while (queue.isEmpty() && !last && !cut) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("upload: interrupted");
        }
      }
      if (cut) {
        throw new IOException("upload: the client disconnected");
      }
      if (queue.isEmpty()) {
        return -1;
      }
      ByteBuf head = queue.peek();
      n = Math.min(len, head.readableBytes());
      head.readBytes(b, off, n);
      if (!head.isReadable()) {
        queue.poll().release();
      }
      queued -= n;
      wantMore = !last && !reading && queued < maxQueued;
    }
    if (wantMore) {
      ctx.executor().execute(this::requestRead);
    }
    return n;
  }

  private void requestRead() {
    synchronized (this) {
      if (reading || last || cut || closed) {
        return;
      }
      reading = true;
    }
    ctx.read();
  }

  /** Frees what is still queued; later pieces are dropped. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      ByteBuf b;
      while ((b = queue.poll()) != null) {
        b.release();
      }
      notifyAll();
    }
  }
}
