package dev.reprox.server.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
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
  private volatile DateValue date = new DateValue(Long.MIN_VALUE, AsciiString.EMPTY_STRING);
  // AsciiStrings: the encoder copies their bytes instead of encoding a String char by char.
  private static final AsciiString NOSNIFF_NAME = AsciiString.cached("X-Content-Type-Options");
  private static final AsciiString NOSNIFF = AsciiString.cached("nosniff");

  private record DateValue(long second, AsciiString text) {}

  ResponseHeaders(Clock clock) {
    this.clock = clock;
  }

  /** The IMF-fixdate of now, formatted once per second (event loops share it; a race formats twice). */
  String date() {
    return dateValue().toString();
  }

  private AsciiString dateValue() {
    long second = Math.floorDiv(clock.millis(), 1000L);
    DateValue d = date;
    if (d.second() != second) {
      d = new DateValue(second, new AsciiString(HttpDates.format(java.time.Instant.ofEpochSecond(second))));
      date = d;
    }
    return d.text();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response) {
      HttpHeaders h = response.headers();
      h.set(NOSNIFF_NAME, NOSNIFF);
      if (!h.contains(HttpHeaderNames.DATE)) {
        h.set(HttpHeaderNames.DATE, dateValue());
      }
    }
    ctx.write(msg, promise);
  }
}
