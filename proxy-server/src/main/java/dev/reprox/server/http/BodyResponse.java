package dev.reprox.server.http;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.server.fetch.Provenance;
import java.time.Instant;
import java.util.Optional;
import dev.reprox.server.fetch.Content;
import dev.reprox.server.fetch.Fetched;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;

/**
 * The headers of a body response (200, 206, 304, 416) and the hand-over to {@link BodyWriter}.
 * ETag is the content address when known; Range is honoured whenever the length is known, also
 * while a fill is still streaming, since a tail can start anywhere.
 */
final class BodyResponse {
  /**
   * The headers of a 200 or 206 are set only from values made here (constants, digests, numbers,
   * dates), so they skip Netty's per-value check; and names and values are {@link AsciiString}s,
   * which the encoder copies as bytes: checking and encoding them char by char was a warm hit's
   * largest cost after the socket calls (issue 14).
   */
  private static final HttpHeadersFactory UNCHECKED = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
  private static final AsciiString IMMUTABLE = AsciiString.cached("public, max-age=31536000, immutable");
  private static final AsciiString X_REPROX_CACHE = AsciiString.cached("X-Reprox-Cache");
  private static final AsciiString X_REPROX_GENERATION = AsciiString.cached("X-Reprox-Generation");
  private static final AsciiString X_REPROX_PUBLISHED = AsciiString.cached("X-Reprox-Published");
  private static final AsciiString X_REPROX_PIN = AsciiString.cached("X-Reprox-Pin");
  private static final AsciiString X_REPROX_VERIFIED = AsciiString.cached("X-Reprox-Verified");
  private static final AsciiString FALSE = AsciiString.cached("false");

  private final Exchange ex;
  private final ServingContext sc;

  BodyResponse(Exchange ex, ServingContext sc) {
    this.ex = ex;
    this.sc = sc;
  }

  /** On the event loop. {@code content} is null for HEAD; it is closed here unless a body streams. */
  void send(Fetched fetched, Content content) {
    send(fetched, content, null);
  }

  /** As {@link #send(Fetched, Content)}, for a kept answer ({@code hot}, else null) whose fixed headers are built once. */
  void send(Fetched fetched, Content content, HotAnswers.Answer hot) {
    ChannelHandlerContext ctx = ex.ctx();
    if (ex.ended() || !ctx.channel().isActive()) {
      closeQuietly(content);
      ex.end("aborted", 0);
      return;
    }
    ex.cache = fetched.outcome().tag();
    ex.pin = fetched.provenance().pin().orElse(null);
    HttpHeaders requestHeaders = ex.request.headers();
    long length = fetched.length();
    HttpHeaders fixed = answerHeaders(fetched, hot);
    String etag = fixed.get(HttpHeaderNames.ETAG);
    if (notModified(requestHeaders, etag, lastModified(fetched))) {
      closeQuietly(content);
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
      if (etag != null) {
        r.headers().set(HttpHeaderNames.ETAG, etag);
      }
      cacheHeaders(r.headers(), fetched);
      ex.reply(r, fetched.outcome().tag(), false);
      return;
    }
    ByteRange range = length >= 0 ? ByteRange.parse(requestHeaders.get(HttpHeaderNames.RANGE), length) : null;
    String ifRange = requestHeaders.get(HttpHeaderNames.IF_RANGE);
    if (range != null && ifRange != null && !ifRange.equals(etag)) {
      range = null; // the client's copy is another version: send the whole body
    }
    if (range == ByteRange.UNSATISFIABLE) {
      closeQuietly(content);
      FullHttpResponse r = Responses.text(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
          "range not satisfiable: body is " + length + " bytes\n", ex.head);
      r.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + length);
      ex.reply(r, "range_not_satisfiable", false);
      return;
    }
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
        range != null ? HttpResponseStatus.PARTIAL_CONTENT : HttpResponseStatus.OK, UNCHECKED);
    HttpHeaders h = r.headers();
    h.set(fixed); // a copy of entries, not validated again
    long start = 0;
    long end = length;
    if (range != null) {
      start = range.first();
      end = range.last() + 1;
      h.set(HttpHeaderNames.CONTENT_RANGE, "bytes " + range.first() + "-" + range.last() + "/" + length);
    }
    if (length >= 0) {
      h.set(HttpHeaderNames.CONTENT_LENGTH, range == null ? fullLength(hot, length) : AsciiString.of(Long.toString(end - start)));
    } else if (!ex.request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      HttpUtil.setTransferEncodingChunked(r, true);
    } // else HTTP/1.0 knows no chunks: the body ends when the keep-alive handler closes the connection
    String outcome = fetched.outcome().tag();
    ex.status = r.status().code();
    if (content == null) {
      ctx.write(r);
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> {
        if (!f.isSuccess()) {
          ctx.close();
        }
        ex.end(f.isSuccess() ? outcome : "aborted", 0);
      });
      return;
    }
    HttpResponse head = null;
    if (fetched.outcome() == Fetched.Outcome.MISS) {
      // The upstream may still fail: send the headers now, so a client that then sees the
      // connection cut knows the response failed (and does not silently retry the request).
      ctx.writeAndFlush(r);
    } else {
      head = r; // goes out with the first piece, or as one message with it (BodyWriter)
    }
    ex.body = new BodyWriter(ctx, content, sc.bodyExecutor, sc.chunks, start, end, head,
        (bytes, complete) -> ex.end(complete ? outcome : "aborted", bytes));
    ex.body.start();
  }

  /**
   * The headers of a 200 or 206 that depend on the answer alone: type, ETag (the content address
   * when known), cacheability and trust-chain headers, Accept-Ranges. A kept answer's are built
   * the first time it is served and then copied: formatting them (a date, two hex digests) cost
   * a warm hit more than the rest of its response.
   */
  private HttpHeaders answerHeaders(Fetched fetched, HotAnswers.Answer hot) {
    HttpHeaders kept = hot == null ? null : hot.headers;
    if (kept != null) {
      return kept;
    }
    HttpHeaders h = new DefaultHttpHeaders();
    h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
    fetched.digest().ifPresent(d -> h.set(HttpHeaderNames.ETAG, new AsciiString("\"" + d + "\"")));
    cacheHeaders(h, fetched);
    if (fetched.length() >= 0) {
      h.set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
    }
    if (hot != null) {
      hot.headers = h; // read only from now on; event loops may race to build the same headers
    }
    return h;
  }

  /** The Content-Length of a whole body; a kept answer's is formatted once. */
  private static AsciiString fullLength(HotAnswers.Answer hot, long length) {
    AsciiString kept = hot == null ? null : hot.length;
    if (kept == null) {
      kept = new AsciiString(Long.toString(length));
      if (hot != null) {
        hot.length = kept; // as the headers: a race formats the same value twice
      }
    }
    return kept;
  }

  /**
   * The preconditions of RFC 9110 §13.2.2 that can make a GET or HEAD a 304: If-None-Match when
   * present (it wins: If-Modified-Since is then ignored), else If-Modified-Since, which needs a
   * Last-Modified to compare with and is ignored when it is not a valid HTTP-date.
   */
  private boolean notModified(HttpHeaders requestHeaders, String etag, Optional<Instant> lastModified) {
    HttpMethod method = ex.request.method();
    if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
      return false;
    }
    String ifNoneMatch = requestHeaders.get(HttpHeaderNames.IF_NONE_MATCH);
    if (ifNoneMatch != null) {
      return etag != null && (ifNoneMatch.contains(etag) || ifNoneMatch.trim().equals("*"));
    }
    if (lastModified.isEmpty()) {
      return false;
    }
    return HttpDates.parse(requestHeaders.get(HttpHeaderNames.IF_MODIFIED_SINCE))
        .map(since -> !HttpDates.truncate(lastModified.get()).isAfter(since))
        .orElse(false);
  }

  /** A root's publication time is its Last-Modified; other bodies send none. */
  private static Optional<Instant> lastModified(Fetched fetched) {
    Provenance p = fetched.provenance();
    return p.root() ? p.publishedAt() : Optional.empty();
  }

  /**
   * Cacheability and the trust-chain headers: content-addressed, package and pinned (@T) bodies
   * never change, so they are immutable; live roots and pass-through bodies get a short max-age.
   */
  private void cacheHeaders(HttpHeaders h, Fetched fetched) {
    Provenance p = fetched.provenance();
    h.set(HttpHeaderNames.CACHE_CONTROL, p.immutable() ? IMMUTABLE
        : new AsciiString("public, max-age=" + sc.liveMaxAge.toSeconds()));
    h.set(X_REPROX_CACHE, new AsciiString(fetched.outcome().name()));
    p.generation().ifPresent(g -> h.set(X_REPROX_GENERATION, new AsciiString(g.toString())));
    p.publishedAt().ifPresent(t -> h.set(X_REPROX_PUBLISHED, new AsciiString(HttpDates.format(t))));
    lastModified(fetched).ifPresent(t -> h.set(HttpHeaderNames.LAST_MODIFIED, new AsciiString(HttpDates.format(t))));
    // a pin status is one of a few ASCII words; a String still encodes right (char by char)
    p.pin().ifPresent(pin -> h.set(X_REPROX_PIN, pin));
    RepositoryConfig repo = sc.config.repositories().get(ex.repository);
    if (repo != null && repo.keyring() instanceof Keyring.None) {
      h.set(X_REPROX_VERIFIED, FALSE);
    }
  }

  private static void closeQuietly(Content content) {
    if (content != null) {
      content.close();
    }
  }
}
