package dev.reprox.server.http;

import dev.reprox.config.RepositoryConfig;
import dev.reprox.server.fetch.FetchException.Kind;
import dev.reprox.server.fetch.FetchRequest;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
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
 * is in progress wait in a queue with reading paused (backpressure: the rest stay unread in the
 * socket), and reading resumes when the queue has been answered. Request bodies are never read
 * into memory: methods that could carry one are refused and the connection closed.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);
  // The queue holds what one socket read decoded (reading pauses at the first queued request), so
  // the read size bounds it (dev.reprox.server.ServerInitializer): this cap is a last resort.
  private static final int MAX_PIPELINED = 4096;
  private static final java.util.Set<String> QUIET = java.util.Set.of("healthz", "readyz", "metrics");

  private final ServingContext sc;
  private final AdminEndpoints admin;
  private final PassThrough passThrough;
  private final RepositoryApi api;
  private final ForwardRoute forward;
  private final AdminRoute adminRoute;
  private final BuildsApi buildsApi;
  private final ArrayDeque<HttpRequest> pending = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private Exchange current;
  private ScheduledFuture<?> headTimer;
  private boolean tunnelled;
  /** Accepted past max-connections, into the reserve: health checks only, then close. */
  private final boolean healthOnly;

  RequestHandler(ServingContext sc, boolean healthOnly) {
    this.sc = sc;
    this.healthOnly = healthOnly;
    this.admin = new AdminEndpoints(sc);
    this.passThrough = new PassThrough(sc);
    this.api = new RepositoryApi(sc);
    this.forward = sc.forwardRoute();
    this.adminRoute = new AdminRoute(sc, new AdminActions(sc));
    this.buildsApi = new BuildsApi(sc);
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
      if (!(msg instanceof HttpRequest request) || tunnelled) {
        if (!tunnelled && msg instanceof io.netty.handler.codec.http.HttpContent piece && current != null
            && current.upload != null) {
          current.upload.offer(piece); // an import's body: the only request body reprox reads
        }
        return; // request body pieces: GET/HEAD carry none worth reading; or HTTP is over
      }
      disarmHeadTimer();
      if (current == null && pending.isEmpty()) {
        handle(request);
      } else if (pending.size() < MAX_PIPELINED) {
        ReferenceCountUtil.retain(request);
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
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (current != null && current.upload != null) {
      current.upload.readComplete();
    }
    ctx.fireChannelReadComplete();
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
    releasePending();
    if (current != null) {
      if (current.upload != null) {
        current.upload.cut();
      }
      current.cut();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && current != null && current.upload != null) {
      return; // an import verifying or publishing: quiet on the wire, not idle
    }
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
      ex.fail(Kind.BAD_REQUEST, "bad request: " + request.decoderResult().cause().getMessage(), true);
      return;
    }
    if (healthOnly) {
      answerHealthOnly(ex, uri);
      return;
    }
    if (method.equals(HttpMethod.CONNECT)) {
      ex.forward = true;
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
    ex.forward = proxied instanceof ForwardRoute.Refuse || proxied instanceof ForwardRoute.Serve;
    if (proxied instanceof ForwardRoute.Refuse refusal) {
      forward.refuse(ex, refusal);
      return;
    }
    if (proxied instanceof ForwardRoute.Serve serve) {
      FetchRequest fetch = serve.fetch();
      ex.repository = fetch.repository().name();
      ex.fetched = fetch;
      ex.kind = kind(fetch);
      serve.build().ifPresent(label -> {
        ex.build = label;
        sc.builds.record(label, fetch.at(), ex.repository,
            sc.fetchers != null && sc.fetchers.isPackage(ex.repository, fetch.path()));
      });
      passThrough.serve(ex, fetch);
      return;
    }
    if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
      RequestPath target = AdminRoute.adminPath(uri);
      if (target != null) {
        adminRoute.answer(ex, target, request, ctx);
        return;
      }
      ex.fail(Kind.METHOD_NOT_ALLOWED, "method " + method + " not allowed: use GET or HEAD", true);
      return;
    }
    RequestPath path;
    try {
      path = RequestPath.parse(uri);
    } catch (RequestPath.Unsafe e) {
      ex.fail(Kind.BAD_REQUEST, "bad path: " + e.getMessage(), false);
      return;
    }
    if (ApiGuard.isAdmin(path)) {
      adminRoute.answer(ex, path, request, ctx);
      return;
    }
    if (ApiGuard.isRead(path)) {
      FullHttpResponse refusal = sc.guard.allowRead(request.headers(), ex.head);
      if (refusal != null) {
        ex.reply(refusal, Kind.UNAUTHORIZED.answer(null).outcome(), false);
        return;
      }
    }
    if (path.segments().size() == 1 && QUIET.contains(path.first())) {
      ex.quiet = true; // probes and scrapes every few seconds would drown the access log
    }
    if (BuildsApi.handles(path)) {
      buildsApi.serve(ex, path);
      return;
    }
    if (api.handles(path)) {
      api.serve(ex, path, uri);
      return;
    }
    if (AdminEndpoints.isStatusPage(path)) {
      admin.serveStatusPage(ex);
      return;
    }
    FullHttpResponse adminResponse = admin.answer(path, ex.head);
    if (adminResponse != null) {
      ex.reply(adminResponse, "admin", false);
      return;
    }
    RepositoryConfig repository = sc.config.repositories().get(path.first());
    if (repository == null) {
      ex.fail(Kind.UNKNOWN_REPOSITORY, "unknown repository \"" + path.first() + "\"; configured: "
          + String.join(", ", sc.config.repositories().keySet()), false);
      return;
    }
    ex.repository = repository.name();
    FetchRequest fetch;
    try {
      fetch = MirrorPath.parse(repository, path);
    } catch (MirrorPath.BadTime e) {
      ex.fail(Kind.BAD_REQUEST, e.getMessage(), false);
      return;
    }
    ex.fetched = fetch;
    if (fetch.path().isEmpty()) {
      ex.fail(Kind.NOT_FOUND, "no path below repository " + repository.name(), false);
      return;
    }
    ex.kind = kind(fetch);
    passThrough.serve(ex, fetch);
  }

  /** The response to {@code ex} has ended: account for it and take the next request. */
  void finished(Exchange ex, String outcome, long bytes) {
    long nanos = System.nanoTime() - ex.startNanos;
    RequestLog.request(ex, outcome, bytes, nanos);
    if (sc.accessLog) {
      RequestLog.access(ex, outcome, bytes, nanos);
    }
    sc.metrics.record(ex.repository, outcome, ex.kind, ex.status, nanos);
    sc.metrics.served(ex.repository, ex.cache == null ? "none" : ex.cache, bytes);
    sc.inFlight.end();
    if (current == ex) {
      current = null;
    }
    if (tunnelled || !ctx.channel().isActive()) {
      return;
    }
    HttpRequest next = pending.poll();
    if (next != null) {
      try {
        handle(next);
      } finally {
        ReferenceCountUtil.release(next);
      }
      return;
    }
    ctx.channel().config().setAutoRead(true);
    armHeadTimer();
  }

  /**
   * A connection accepted above {@code max-connections}: {@code /healthz} and {@code /readyz}
   * answer as usual, so probes keep working while the server is full; anything else is 503.
   * Either way the connection closes after the response, giving its place back.
   */
  private void answerHealthOnly(Exchange ex, String uri) {
    FullHttpResponse health = null;
    try {
      RequestPath path = RequestPath.parse(uri);
      if (path.segments().size() == 1 && (path.first().equals("healthz") || path.first().equals("readyz"))) {
        health = admin.answer(path, ex.head);
      }
    } catch (RequestPath.Unsafe e) {
      // not a health check
    }
    if (health != null) {
      ex.quiet = true;
      ex.reply(health, "admin", true);
      return;
    }
    sc.metrics.refusedConnection("503");
    ex.fail(Kind.TOO_MANY_CONNECTIONS, "too many connections: max-connections reached; retry later", true);
  }

  private void releasePending() {
    for (HttpRequest r; (r = pending.poll()) != null; ) {
      ReferenceCountUtil.release(r);
    }
  }

  /**
   * {@code ex} became a tunnel ({@link Tunnels}): it ends as a request, and this handler, about to
   * leave the pipeline, takes no further requests and never turns reading back on.
   */
  void tunnelled(Exchange ex) {
    tunnelled = true;
    releasePending();
    disarmHeadTimer();
    ex.status = 200;
    ex.end("tunnel", 0);
  }

  /** The path's kind for the request metrics ({@link RequestMetrics}). */
  private String kind(FetchRequest fetch) {
    if (sc.fetchers == null) {
      return "other";
    }
    return switch (sc.fetchers.pathKind(fetch.repository().name(), fetch.path())) {
      case ROOT_INDEX, DETACHED_SIGNATURE -> "root";
      case LISTING, SUB_INDEX, BY_HASH -> "listing";
      case PACKAGE -> "package";
      case OTHER -> "other";
    };
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
