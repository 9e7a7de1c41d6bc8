package dev.reprox.server.http;

import static dev.reprox.server.LogSafe.escape;

import dev.reprox.config.RepositoryConfig;
import dev.reprox.server.fetch.FetchRequest;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's requests, one at a time: guard clauses that each end in an error response,
 * then one call into the fetch chain, then the response. Requests a client pipelines while one
 * is in progress wait in a short queue with reading paused. Request bodies are never read into
 * memory: methods that could carry one are refused and the connection closed.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);
  // apt pipelines up to Acquire::http::Pipeline-Depth (default 10) requests behind the current
  // one, decoded in one read before auto-read stops: a smaller cap cut apt's connection mid-download.
  private static final int MAX_PIPELINED = 32;

  private final ServingContext sc;
  private final AdminEndpoints admin;
  private final PassThrough passThrough;
  private final RepositoryApi api;
  private final ForwardRoute forward;
  private final ArrayDeque<HttpRequest> pending = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private Exchange current;
  private ScheduledFuture<?> headTimer;
  private boolean tunnelled;

  RequestHandler(ServingContext sc) {
    this.sc = sc;
    this.admin = new AdminEndpoints(sc);
    this.passThrough = new PassThrough(sc);
    this.api = new RepositoryApi(sc);
    this.forward = sc.forwardRoute();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    armHeadTimer();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (!(msg instanceof HttpRequest request)) {
        return; // request body pieces: GET/HEAD carry none worth reading
      }
      disarmHeadTimer();
      if (current == null) {
        handle(request);
      } else if (pending.size() < MAX_PIPELINED) {
        pending.add(request);
        ctx.channel().config().setAutoRead(false);
      } else {
        ctx.close();
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (current != null && current.body != null) {
      current.body.writabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    disarmHeadTimer();
    pending.clear();
    if (current != null) {
      current.cut();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      log.debug("closing idle connection {}", ctx.channel().remoteAddress());
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  private void handle(HttpRequest request) {
    Exchange ex = new Exchange(this, ctx, request);
    current = ex;
    sc.inFlight.begin();
    HttpMethod method = request.method();
    String uri = request.uri();
    if (request.decoderResult().isFailure()) {
      ex.error(HttpResponseStatus.BAD_REQUEST, "bad request: " + request.decoderResult().cause().getMessage(),
          "bad_request", true);
      return;
    }
    if (method.equals(HttpMethod.CONNECT)) {
      ForwardRoute.Outcome connect = forward.connect(uri);
      if (connect instanceof ForwardRoute.Tunnel tunnel) {
        sc.tunnels.open(ex, this, tunnel);
        return;
      }
      sc.tunnels.refused();
      forward.refuse(ex, (ForwardRoute.Refuse) connect);
      return;
    }
    ForwardRoute.Outcome proxied = forward.route(request);
    if (proxied instanceof ForwardRoute.Refuse refusal) {
      forward.refuse(ex, refusal);
      return;
    }
    if (proxied instanceof ForwardRoute.Serve serve) {
      FetchRequest fetch = serve.fetch();
      ex.repository = fetch.repository().name();
      ex.fetched = fetch;
      serve.build().ifPresent(label -> {
        ex.build = label;
        sc.builds.record(label, fetch.at(), ex.repository);
      });
      passThrough.serve(ex, fetch);
      return;
    }
    if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
      ex.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method " + method + " not allowed: use GET or HEAD",
          "method", true);
      return;
    }
    RequestPath path;
    try {
      path = RequestPath.parse(uri);
    } catch (RequestPath.Unsafe e) {
      ex.error(HttpResponseStatus.BAD_REQUEST, "bad path: " + e.getMessage(), "bad_request", false);
      return;
    }
    if (api.handles(path)) {
      api.serve(ex, path, uri);
      return;
    }
    FullHttpResponse adminResponse = admin.answer(path, ex.head);
    if (adminResponse != null) {
      ex.reply(adminResponse, "admin", false);
      return;
    }
    RepositoryConfig repository = sc.config.repositories().get(path.first());
    if (repository == null) {
      ex.error(HttpResponseStatus.NOT_FOUND, "unknown repository \"" + path.first() + "\"; configured: "
          + String.join(", ", sc.config.repositories().keySet()), "unknown_repository", false);
      return;
    }
    ex.repository = repository.name();
    FetchRequest fetch;
    try {
      fetch = MirrorPath.parse(repository, path);
    } catch (MirrorPath.BadTime e) {
      ex.error(HttpResponseStatus.BAD_REQUEST, e.getMessage(), "bad_request", false);
      return;
    }
    if (fetch.path().isEmpty()) {
      ex.error(HttpResponseStatus.NOT_FOUND, "no path below repository " + repository.name(), "not_found", false);
      return;
    }
    passThrough.serve(ex, fetch);
  }

  /** The response to {@code ex} has ended: account for it and take the next request. */
  void finished(Exchange ex, String outcome, long bytes) {
    long nanos = System.nanoTime() - ex.startNanos;
    logRequest(ex, outcome, bytes, nanos);
    sc.metrics.record(ex.repository, outcome, nanos);
    sc.metrics.served(ex.repository, bytes);
    sc.inFlight.end();
    if (current == ex) {
      current = null;
    }
    if (tunnelled || !ctx.channel().isActive()) {
      return;
    }
    HttpRequest next = pending.poll();
    if (next != null) {
      handle(next);
      return;
    }
    ctx.channel().config().setAutoRead(true);
    armHeadTimer();
  }

  /**
   * {@code ex} became a tunnel ({@link Tunnels}): it ends as a request, and this handler, about to
   * leave the pipeline, takes no further requests and never turns reading back on.
   */
  void tunnelled(Exchange ex) {
    tunnelled = true;
    pending.clear();
    disarmHeadTimer();
    ex.end("tunnel", 0);
  }

  /**
   * The request log line, when the request has ended. A forward-mode request with a build label
   * logs at INFO, tagged with the label twice: as the line's head ({@code build <label>: <repo>/@<T>/<path>
   * (forward <url>) -> <outcome> ...}, what {@code reprox lock} and the live tests read) and as the
   * key-value pair {@code build} for structured encoders. Everything else logs at DEBUG.
   */
  private void logRequest(Exchange ex, String outcome, long bytes, long nanos) {
    long ms = TimeUnit.NANOSECONDS.toMillis(nanos);
    if (ex.build != null) {
      log.atInfo().addKeyValue("build", escape(ex.build)).log("build {}: {} (forward {}) -> {}, {} bytes, {} ms", escape(ex.build),
          escape(ex.fetched), escape(ex.request.uri()), outcome, bytes, ms);
    } else if (log.isDebugEnabled()) {
      log.debug("request {} {} -> {}, {} bytes, {} ms", escape(ex.request.method()), escape(ex.request.uri()),
          outcome, bytes, ms);
    }
  }

  private void armHeadTimer() {
    disarmHeadTimer();
    headTimer = ctx.executor().schedule(() -> {
      if (current == null) {
        log.debug("closing {}: no complete request within {}", ctx.channel().remoteAddress(), sc.requestHeadTimeout);
        ctx.close();
      }
    }, sc.requestHeadTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void disarmHeadTimer() {
    if (headTimer != null) {
      headTimer.cancel(false);
      headTimer = null;
    }
  }
}
