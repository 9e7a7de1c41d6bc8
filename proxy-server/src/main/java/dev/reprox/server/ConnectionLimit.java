package dev.reprox.server;

import dev.reprox.server.http.ServingContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code max-connections}, on the listening channel, where each accepted connection passes before
 * it is registered: up to the limit a connection is served; a few more (the reserve) are accepted
 * for health checks only ({@link ServingContext#newHealthOnlyHandler()}); past that the socket is
 * closed at once, before any handler or buffer exists for it. Idle connections give their place
 * back when the request-head timeout closes them. See docs/decisions.md.
 */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {
  /** Set on a connection accepted into the reserve. */
  static final AttributeKey<Boolean> HEALTH_ONLY = AttributeKey.valueOf("reprox.healthOnly");
  private static final Logger log = LoggerFactory.getLogger(ConnectionLimit.class);

  private final int limit;
  private final int reserve;
  private final ServingContext context;
  private final AtomicInteger open = new AtomicInteger();

  ConnectionLimit(int limit, int reserve, ServingContext context) {
    this.limit = limit;
    this.reserve = reserve;
    this.context = context;
  }

  int open() {
    return open.get();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Channel child) {
      int n = open.incrementAndGet();
      if (n > limit + reserve) {
        open.decrementAndGet();
        context.refusedConnection("closed");
        log.debug("refusing {}: {} connections open (max-connections {})", child.remoteAddress(), n - 1, limit);
        child.unsafe().closeForcibly(); // never registered: nothing else holds it
        return;
      }
      child.closeFuture().addListener(f -> open.decrementAndGet());
      if (n > limit) {
        child.attr(HEALTH_ONLY).set(true);
      }
    }
    ctx.fireChannelRead(msg);
  }
}
