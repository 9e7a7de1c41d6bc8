package dev.reprox.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/**
 * An {@link OutputStream} onto the channel for a worker thread: each write becomes one HTTP
 * chunk, and the writer waits (on its own thread) while more than {@link #MAX_UNFLUSHED} bytes
 * have not reached the socket yet.
 */
final class ChannelOutput extends OutputStream {
  static final long MAX_UNFLUSHED = 4L << 20;
  private final ChannelHandlerContext ctx;
  private long pending;
  private long written;
  private Throwable failure;

  ChannelOutput(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return;
    }
    synchronized (this) {
      while (pending > MAX_UNFLUSHED && failure == null && ctx.channel().isActive()) {
        try {
          wait(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("export: interrupted");
        }
      }
      if (failure != null || !ctx.channel().isActive()) {
        throw new IOException("export: the client went away", failure);
      }
      pending += len;
      written += len;
    }
    ChannelFuture f = ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(b, off, len)));
    f.addListener(done -> {
      synchronized (this) {
        pending -= len;
        if (!done.isSuccess() && failure == null) {
          failure = done.cause();
        }
        notifyAll();
      }
    });
  }

  synchronized long written() {
    return written;
  }
}
