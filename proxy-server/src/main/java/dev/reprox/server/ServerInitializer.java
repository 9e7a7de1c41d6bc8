package dev.reprox.server;

import dev.reprox.server.http.ServingContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The one place the pipeline is assembled. No aggregator: bodies stream. The idle handler closes
 * connections that stall completely; the request handler itself closes connections that do not
 * send a complete request head in time (slowloris, and idle keep-alive connections).
 *
 * <p>Pipelining: the request handler pauses reading while a response is in progress, but the codec
 * decodes every complete request of the read in hand. So a read is at most {@link #MAX_READ} bytes
 * (set on the bootstrap), which holds at most {@link #MAX_PIPELINE_DEPTH} of the smallest requests,
 * and the codec's own bound on requests awaiting responses is set to that, not its default 128.
 */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
  private static final int MAX_INITIAL_LINE = 8192;
  private static final int MAX_HEADER_SIZE = 16384;
  private static final int MAX_CHUNK = 65536;
  /** The largest socket read, in bytes (the receive-buffer allocator's maximum). */
  static final int MAX_READ = 16384;
  /** Decoded requests awaiting a response: a MAX_READ read of 18-byte requests, plus one carried over. */
  static final int MAX_PIPELINE_DEPTH = MAX_READ / 16 + 1;

  private final ServingContext context;
  private final Duration idleTimeout;

  ServerInitializer(ServingContext context, Duration idleTimeout) {
    this.context = context;
    this.idleTimeout = idleTimeout;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ChannelPipeline p = ch.pipeline();
    p.addLast("codec", new HttpServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(MAX_INITIAL_LINE)
        .setMaxHeaderSize(MAX_HEADER_SIZE).setMaxChunkSize(MAX_CHUNK), MAX_PIPELINE_DEPTH));
    p.addLast("headers", context.responseHeaders());
    p.addLast("keep-alive", new HttpServerKeepAliveHandler());
    p.addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
    boolean healthOnly = Boolean.TRUE.equals(ch.attr(ConnectionLimit.HEALTH_ONLY).get());
    p.addLast("requests", healthOnly ? context.newHealthOnlyHandler() : context.newHandler());
  }
}
