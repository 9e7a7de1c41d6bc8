package dev.reprox.server.http;

import dev.reprox.server.fetch.FetchException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/** One request and its response's progress, on the connection's event loop. */
final class Exchange {
  private static final String ALLOW = "GET, HEAD";

  private final RequestHandler handler;
  private final ChannelHandlerContext ctx;
  final HttpRequest request;
  final boolean head;
  final long startNanos = System.nanoTime();
  String repository = "-";
  /** The forward-mode client's build label, or null: a tag on this request's log line. */
  String build;
  /** What the request asks of a repository ({@code repo/@T/path}), for the log lines; else null. */
  dev.reprox.server.fetch.FetchRequest fetched;
  /** The kind of path for metrics: {@code root}, {@code listing}, {@code package} or {@code other}. */
  String kind = "other";
  /** A forward-proxy request (absolute-form URL, CONNECT, or an upstream's Host), for the access line. */
  boolean forward;
  /** Left out of the access log: a health probe or a metrics scrape. */
  boolean quiet;
  /** The response status sent, 0 until one is. */
  int status;
  /** {@code hit} or {@code miss} once a body response is chosen, else null. */
  String cache;
  /** The pin status of a trust-chain answer ({@code live}, {@code proven}...), else null. */
  String pin;
  BodyWriter body;
  /** This pipelined request's lookup, started while it waited its turn ({@link PassThrough#prepare}), or null. */
  PassThrough.Prepared prepared;
  /** The request body of an import ({@link AdminBundles}), else null. */
  BundleUpload upload;
  private boolean ended;

  Exchange(RequestHandler handler, ChannelHandlerContext ctx, HttpRequest request) {
    this.handler = handler;
    this.ctx = ctx;
    this.request = request;
    this.head = request.method().equals(HttpMethod.HEAD);
  }

  ChannelHandlerContext ctx() {
    return ctx;
  }

  boolean ended() {
    return ended;
  }

  /** Answers {@code kind} ({@link FetchException.Kind#answer}) with {@code message} as a text body. */
  void fail(FetchException.Kind kind, String message, boolean close) {
    fail(kind.answer(null), message, close);
  }

  /** Answers {@code f}: its kind's status, its reason phrase, its message as a text body. */
  void fail(FetchException f, boolean close) {
    fail(f.answer(), f.getMessage(), close);
  }

  private void fail(FetchException.Answer a, String message, boolean close) {
    FullHttpResponse r = Responses.text(status(a), message + "\n", head);
    if (a.status() == 405) {
      r.headers().set(HttpHeaderNames.ALLOW, ALLOW);
    }
    reply(r, a.outcome(), close);
  }

  /** The status line of an answered failure. */
  static HttpResponseStatus status(FetchException.Answer a) {
    return a.reasonPhrase() == null ? HttpResponseStatus.valueOf(a.status())
        : new HttpResponseStatus(a.status(), a.reasonPhrase());
  }

  void reply(FullHttpResponse r, String outcome, boolean close) {
    if (ended || !ctx.channel().isActive()) {
      r.release();
      end("aborted", 0);
      return;
    }
    if (close) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    status = r.status().code();
    ctx.writeAndFlush(r).addListener(f -> {
      if (close || !f.isSuccess()) {
        ctx.close();
      }
      end(f.isSuccess() ? outcome : "aborted", 0);
    });
  }

  /** The connection closed under this exchange. */
  void cut() {
    if (body != null) {
      body.cancel();
    } else {
      end("aborted", 0);
    }
  }

  void end(String outcome, long bytes) {
    if (ended) {
      return;
    }
    ended = true;
    handler.finished(this, outcome, bytes);
  }
}
