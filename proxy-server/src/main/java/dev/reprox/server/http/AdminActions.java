package dev.reprox.server.http;

import dev.reprox.server.fetch.FetchException;
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
      + " GET /-/api/admin/export?repo=R&at=T, POST /-/api/admin/gc[/dry-run], GET /-/api/admin/gc";

  private final BuildLabels builds;
  private final dev.reprox.server.gc.GcRunner gc;

  AdminActions(BuildLabels builds, dev.reprox.server.gc.GcRunner gc) {
    this.builds = builds;
    this.gc = gc;
  }

  /**
   * {@code POST /-/api/admin/gc} (or {@code /gc/dry-run}) starts a collection on its own thread and
   * answers 202 at once with its run number (409 while one runs); {@code GET /-/api/admin/gc}
   * shows the running one and the last report. Non-blocking: the event loop calls this.
   */
  private FullHttpResponse gc(HttpMethod method, List<String> s, boolean head) {
    if (gc == null) {
      return RepositoryApi.error(FetchException.Kind.NOT_FOUND, "admin: this server has no gc", head);
    }
    boolean dry = s.size() == 5;
    if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
      if (dry) {
        return RepositoryApi.error(FetchException.Kind.NOT_FOUND, "admin: GET /-/api/admin/gc", head);
      }
      return Responses.full(HttpResponseStatus.OK, "application/json", gc.json(), head);
    }
    if (!method.equals(HttpMethod.POST)) {
      FullHttpResponse r = RepositoryApi.error(FetchException.Kind.METHOD_NOT_ALLOWED,
          "admin: " + method + " not allowed on /" + String.join("/", s) + ": use POST (or GET for the state)", head);
      r.headers().set(HttpHeaderNames.ALLOW, dry ? "POST" : "GET, HEAD, POST");
      return r;
    }
    return gc.start(dry).map(run -> {
      log.info("admin: gc run {} started{}", run, dry ? " (dry run)" : "");
      ObjectNode o = JSON.createObjectNode();
      o.put("run", run);
      o.put("dryRun", dry);
      return Responses.full(HttpResponseStatus.ACCEPTED, "application/json", o + "\n", head);
    }).orElseGet(() -> RepositoryApi.error(FetchException.Kind.GC_RUNNING, "conflict",
        "admin: a collection is running (GET /-/api/admin/gc)", head));
  }

  FullHttpResponse answer(HttpMethod method, RequestPath path, boolean head) {
    List<String> s = path.segments();
    if ((s.size() == 4 || (s.size() == 5 && s.get(4).equals("dry-run"))) && s.get(3).equals("gc")) {
      return gc(method, s, head);
    }
    if (s.size() == 5 && s.get(3).equals("builds")) {
      if (!method.equals(HttpMethod.DELETE)) {
        FullHttpResponse r = RepositoryApi.error(FetchException.Kind.METHOD_NOT_ALLOWED,
            "admin: " + method + " not allowed on /" + String.join("/", s) + ": use DELETE", head);
        r.headers().set(HttpHeaderNames.ALLOW, "DELETE");
        return r;
      }
      return forgetBuild(s.get(4), head);
    }
    return RepositoryApi.error(FetchException.Kind.NOT_FOUND, "admin: no route /" + String.join("/", s)
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
        .orElseGet(() -> RepositoryApi.error(FetchException.Kind.NOT_FOUND,
            "admin: no build label \"" + label + "\" recorded", head));
  }
}
