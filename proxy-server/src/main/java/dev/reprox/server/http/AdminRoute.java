package dev.reprox.server.http;

import static dev.reprox.server.LogSafe.escape;

import dev.reprox.server.fetch.FetchException.Kind;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes under {@code /-/api/admin/}: the token check, then the bundle import and export, a
 * prewarm batch, or an {@link AdminActions} answer. Runs on the event loop; what blocks is handed on.
 */
final class AdminRoute {
  // The refusal WARN keeps the handler's logger name, the one operators route and alert on.
  private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);

  private final ServingContext sc;
  private final AdminActions actions;

  AdminRoute(ServingContext sc, AdminActions actions) {
    this.sc = sc;
    this.actions = actions;
  }

  /** {@code uri}'s path when it names an admin action, else null (not one, or not a safe path). */
  static RequestPath adminPath(String uri) {
    try {
      RequestPath path = RequestPath.parse(uri);
      return ApiGuard.isAdmin(path) ? path : null;
    } catch (RequestPath.Unsafe e) {
      return null;
    }
  }

  /**
   * Everything under {@code /-/api/admin/}, whatever the method: the token first, so that nothing
   * about the routes shows to a caller without it. A request body is read only by an import and a
   * prewarm batch ({@link PrewarmBatch}); one that comes anyway ends the connection after the
   * answer, so that its bytes are not taken for a request.
   */
  void answer(Exchange ex, RequestPath path, HttpRequest request, ChannelHandlerContext ctx) {
    boolean body = hasBody(request);
    FullHttpResponse refusal = sc.guard.admit(request.headers(), ex.head);
    if (refusal != null) {
      // Someone tried to change state without the token: worth an operator's attention.
      log.warn("admin: refused {} {} from {}: {}", escape(request.method()), escape(request.uri()),
          ctx.channel().remoteAddress(), refusal.status());
      ex.reply(refusal, (refusal.status().code() == 403 ? Kind.ADMIN_DISABLED : Kind.UNAUTHORIZED).answer(null).outcome(),
          body);
      return;
    }
    List<String> s = path.segments();
    if (s.size() == 4 && s.get(3).equals("import")) {
      if (!request.method().equals(HttpMethod.POST)) {
        FullHttpResponse r = RepositoryApi.error(Kind.METHOD_NOT_ALLOWED,
            "admin: " + request.method() + " not allowed on /-/api/admin/import: POST the bundle", ex.head);
        r.headers().set(HttpHeaderNames.ALLOW, "POST");
        ex.reply(r, "admin", body);
        return;
      }
      sc.bundles.importBundle(ex, ctx);
      return;
    }
    if (s.size() == 4 && s.get(3).equals("export") && !body
        && (request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD))) {
      sc.bundles.exportBundle(ex, ctx, null);
      return;
    }
    if (body && (s.size() == 4 || s.size() == 5) && s.get(3).equals("prewarm")
        && request.method().equals(HttpMethod.POST)) {
      sc.bundles.prewarm.start(ex, ctx, s.size() == 5 ? s.get(4) : null);
      return;
    }
    if (body) {
      ex.reply(RepositoryApi.error(Kind.BAD_REQUEST, "admin actions take no request body", ex.head),
          Kind.BAD_REQUEST.answer(null).outcome(), true);
      return;
    }
    actions.serve(ex, request.method(), path);
  }

  /** A body announced, or a length that cannot be read: either way the connection must not be reused. */
  private static boolean hasBody(HttpRequest request) {
    try {
      return HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
    } catch (NumberFormatException e) {
      return true;
    }
  }
}
