package dev.reprox.server;

import dev.reprox.server.http.ServingContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The one place the pipeline is assembled. No aggregator: bodies stream. The idle handler closes
 * connections that stall completely; the request handler itself closes connections that do not
 * send a complete request head in time (slowloris).
 */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
  private static final int MAX_INITIAL_LINE = 8192;
  private static final int MAX_HEADER_SIZE = 16384;
  private static final int MAX_CHUNK = 65536;

  private final ServingContext context;
  private final Duration idleTimeout;

  ServerInitializer(ServingContext context, Duration idleTimeout) {
    this.context = context;
    this.idleTimeout = idleTimeout;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ChannelPipeline p = ch.pipeline();
    p.addLast("codec", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_CHUNK));
    p.addLast("headers", context.responseHeaders());
    p.addLast("keep-alive", new HttpServerKeepAliveHandler());
    p.addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
    p.addLast("requests", context.newHandler());
  }
}
