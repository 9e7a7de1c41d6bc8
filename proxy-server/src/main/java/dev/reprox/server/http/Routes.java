package dev.reprox.server.http;

import dev.reprox.config.RepositoryConfig;
import dev.reprox.server.fetch.FetchException.Kind;
import dev.reprox.server.fetch.FetchRequest;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Set;

/**
 * Which part answers a request ({@link RequestHandler} owns the connection: one request at a
 * time, pipelining, timers): a bad request, the reserve's health checks, forward-proxy requests
 * and tunnels, the admin, read and builds APIs, the status page and probes, then a repository's
 * mirror path into the fetch chain. One instance per connection, used on its event loop.
 */
final class Routes {
  private static final Set<String> QUIET = Set.of("healthz", "readyz", "metrics");

  private final ServingContext sc;
  private final boolean healthOnly;
  private final AdminEndpoints admin;
  private final PassThrough passThrough;
  private final RepositoryApi api;
  private final ForwardRoute forward;
  private final AdminRoute adminRoute;
  private final BuildsApi buildsApi;

  /** {@code healthOnly}: a connection accepted past max-connections (health checks only). */
  Routes(ServingContext sc, boolean healthOnly) {
    this.sc = sc;
    this.healthOnly = healthOnly;
    this.admin = new AdminEndpoints(sc);
    this.passThrough = new PassThrough(sc);
    this.api = new RepositoryApi(sc);
    this.forward = sc.forwardRoute();
    this.adminRoute = new AdminRoute(sc, new AdminActions(sc));
    this.buildsApi = new BuildsApi(sc);
  }

  /**
   * Answers {@code ex} (a request of {@code handler}'s connection) through the first route that
   * takes it; every guard ends in an error response.
   */
  void route(Exchange ex, RequestHandler handler) {
    HttpRequest request = ex.request;
    ChannelHandlerContext ctx = ex.ctx();
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
        sc.tunnels.open(ex, handler, tunnel);
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
    passThrough.serve(ex, fetch); // sets ex.kind
  }

  /**
   * For a GET waiting behind other requests on its connection: starts its lookup now when
   * {@link #route} will send it to the fetch chain and nothing else (a forward-proxy request for
   * a configured upstream, or a repository's mirror path); null for anything else, which is
   * routed only at its turn. Writes nothing and records nothing: {@link #route} does that.
   */
  PassThrough.Prepared prepare(HttpRequest request, ChannelHandlerContext ctx) {
    if (healthOnly || request.decoderResult().isFailure() || !request.method().equals(HttpMethod.GET)) {
      return null;
    }
    ForwardRoute.Outcome proxied = forward.route(request);
    if (proxied instanceof ForwardRoute.Serve serve) {
      return passThrough.prepare(serve.fetch(), ctx.executor());
    }
    if (proxied != null) {
      return null;
    }
    RequestPath path;
    try {
      path = RequestPath.parse(request.uri());
    } catch (RequestPath.Unsafe e) {
      return null;
    }
    // The read guard, the APIs, the status page and the probes all live under "-" or are QUIET.
    if (path.segments().isEmpty() || ApiGuard.isRead(path)
        || path.segments().size() == 1 && QUIET.contains(path.first())) {
      return null;
    }
    RepositoryConfig repository = sc.config.repositories().get(path.first());
    if (repository == null) {
      return null;
    }
    FetchRequest fetch;
    try {
      fetch = MirrorPath.parse(repository, path);
    } catch (MirrorPath.BadTime e) {
      return null;
    }
    return fetch.path().isEmpty() ? null : passThrough.prepare(fetch, ctx.executor());
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

  /** The path's kind for the request metrics ({@link RequestMetrics}). */
  static String kind(ServingContext sc, FetchRequest fetch) {
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
}
