package dev.reprox.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Small complete responses: errors and admin pages, always with a Content-Length. */
final class Responses {
  private Responses() {}

  static FullHttpResponse text(HttpResponseStatus status, String body, boolean head) {
    return full(status, "text/plain; charset=utf-8", body, head);
  }

  static FullHttpResponse full(HttpResponseStatus status, String contentType, String body, boolean head) {
    ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
    FullHttpResponse r;
    if (head) {
      r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
      content.release();
    } else {
      r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    }
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    return r;
  }

  /** Writes a short text error; the body ends with a newline so curl output stays readable. */
  static ChannelFuture sendError(ChannelHandlerContext ctx, HttpResponseStatus status, String message, boolean head) {
    return ctx.writeAndFlush(text(status, message + "\n", head));
  }
}
