package dev.reprox.server.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import java.time.Clock;

/**
 * Headers every response carries, whichever code path wrote it (bodies, errors, admin pages, API,
 * metrics, 304s, refusals): {@code X-Content-Type-Options: nosniff}, so a browser never renders a
 * stored package or an error echoing a request path as HTML, and {@code Date} (RFC 9110 §6.6.1).
 * One handler in the pipeline, so no new response path can forget them.
 */
@ChannelHandler.Sharable
final class ResponseHeaders extends ChannelOutboundHandlerAdapter {
  private final Clock clock;
  /** The last second's Date value: formatting one cost more than the rest of a warm hit's headers. */
  private volatile DateValue date = new DateValue(Long.MIN_VALUE, "");

  private record DateValue(long second, String text) {}

  ResponseHeaders(Clock clock) {
    this.clock = clock;
  }

  /** The IMF-fixdate of now, formatted once per second (event loops share it; a race formats twice). */
  String date() {
    long second = Math.floorDiv(clock.millis(), 1000L);
    DateValue d = date;
    if (d.second() != second) {
      d = new DateValue(second, HttpDates.format(java.time.Instant.ofEpochSecond(second)));
      date = d;
    }
    return d.text();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response) {
      HttpHeaders h = response.headers();
      h.set("X-Content-Type-Options", "nosniff");
      if (!h.contains(HttpHeaderNames.DATE)) {
        h.set(HttpHeaderNames.DATE, date());
      }
    }
    ctx.write(msg, promise);
  }
}
