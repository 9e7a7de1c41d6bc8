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
 *   <li>{@code DELETE /-/api/admin/builds/<label>}: forget a build label's recent view and its
 *       persisted record (a mistyped or finished label that would otherwise stay until it expires).
 * </ul>
 */
final class AdminActions {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(AdminActions.class);
  static final String ROUTES = "DELETE /-/api/admin/builds/<label>, POST /-/api/admin/import,"
      + " GET /-/api/admin/export?repo=R&at=T";

  private final ServingContext sc;

  AdminActions(ServingContext sc) {
    this.sc = sc;
  }

  /** Answers {@code ex}; the persisted build record is deleted on the storage executor. */
  void serve(Exchange ex, HttpMethod method, RequestPath path) {
    List<String> s = path.segments();
    if (s.size() == 5 && s.get(3).equals("builds")) {
      if (!method.equals(HttpMethod.DELETE)) {
        FullHttpResponse r = RepositoryApi.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
            "admin: " + method + " not allowed on /" + String.join("/", s) + ": use DELETE", ex.head);
        r.headers().set(HttpHeaderNames.ALLOW, "DELETE");
        ex.reply(r, "admin", false);
        return;
      }
      String label = s.get(4);
      try {
        sc.storageExecutor.execute(() -> {
          FullHttpResponse r;
          try {
            r = forgetBuild(label, ex.head);
          } catch (Exception e) {
            r = RepositoryApi.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "storage",
                "admin: forget build " + label + ": " + e.getMessage(), ex.head);
          }
          FullHttpResponse response = r;
          ex.ctx().executor().execute(() -> ex.reply(response, "admin", false));
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        ex.reply(RepositoryApi.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "overloaded", "admin: server busy",
            ex.head), "overloaded", false);
      }
      return;
    }
    ex.reply(RepositoryApi.error(HttpResponseStatus.NOT_FOUND, "not_found", "admin: no route /" + String.join("/", s)
        + " (" + ROUTES + ")", ex.head), "admin", false);
  }

  /** Forgets the label in memory and its persisted record. Blocks (storage). */
  private FullHttpResponse forgetBuild(String label, boolean head) throws java.io.IOException {
    var recent = sc.builds.forget(label);
    var record = sc.records == null ? java.util.Optional.<dev.reprox.storage.BuildLabel>empty() : sc.records.forget(label);
    if (recent.isEmpty() && record.isEmpty()) {
      return RepositoryApi.error(HttpResponseStatus.NOT_FOUND, "not_found",
          "admin: no build label \"" + label + "\" recorded", head);
    }
    ObjectNode o = JSON.createObjectNode();
    o.put("forgotten", label);
    o.put("requests", recent.map(BuildLabels.Build::requests).orElse(0L));
    record.ifPresent(r -> o.put("entries", r.entries()));
    log.info("admin: forgot build label {} ({} requests since {}, {} recorded entries)", escape(label),
        recent.map(BuildLabels.Build::requests).orElse(0L),
        recent.map(b -> b.firstSeen().toString()).orElse("restart"), record.map(r -> r.entries()).orElse(0L));
    return Responses.full(HttpResponseStatus.OK, "application/json", o + "\n", head);
  }
}
