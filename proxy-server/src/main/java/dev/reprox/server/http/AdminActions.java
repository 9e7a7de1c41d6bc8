package dev.reprox.server.http;

import static dev.reprox.server.LogSafe.escape;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state-changing routes under {@code /-/api/admin/}, reached only through {@link ApiGuard}
 * (docs/api.md "Admin actions"). Each action logs one INFO line, the audit trail of who changed
 * what being the token holder's own.
 *
 * <ul>
 *   <li>{@code DELETE /-/api/admin/builds/<label>}: forget a build label's record (a mistyped or
 *       finished label that would otherwise stay listed until the bound pushes it out).
 * </ul>
 */
final class AdminActions {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(AdminActions.class);
  static final String ROUTES = "DELETE /-/api/admin/builds/<label>, POST /-/api/admin/import,"
      + " GET /-/api/admin/export?repo=R&at=T";

  private final BuildLabels builds;

  AdminActions(BuildLabels builds) {
    this.builds = builds;
  }

  FullHttpResponse answer(HttpMethod method, RequestPath path, boolean head) {
    List<String> s = path.segments();
    if (s.size() == 5 && s.get(3).equals("builds")) {
      if (!method.equals(HttpMethod.DELETE)) {
        FullHttpResponse r = RepositoryApi.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
            "admin: " + method + " not allowed on /" + String.join("/", s) + ": use DELETE", head);
        r.headers().set(HttpHeaderNames.ALLOW, "DELETE");
        return r;
      }
      return forgetBuild(s.get(4), head);
    }
    return RepositoryApi.error(HttpResponseStatus.NOT_FOUND, "not_found", "admin: no route /" + String.join("/", s)
        + " (" + ROUTES + ")", head);
  }

  private FullHttpResponse forgetBuild(String label, boolean head) {
    return builds.forget(label)
        .map(b -> {
          log.info("admin: forgot build label {} ({} requests since {})", escape(label), b.requests(), b.firstSeen());
          ObjectNode o = JSON.createObjectNode();
          o.put("forgotten", label);
          o.put("requests", b.requests());
          return Responses.full(HttpResponseStatus.OK, "application/json", o + "\n", head);
        })
        .orElseGet(() -> RepositoryApi.error(HttpResponseStatus.NOT_FOUND, "not_found",
            "admin: no build label \"" + label + "\" recorded", head));
  }
}
