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
 *   <li>{@code DELETE /-/api/admin/builds/<label>}: forget a build label's recent view and its
 *       persisted record (a mistyped or finished label that would otherwise stay until it expires).
 * </ul>
 */
final class AdminActions {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(AdminActions.class);
  static final String ROUTES = "DELETE /-/api/admin/builds/<label>, POST /-/api/admin/import,"
      + " GET /-/api/admin/export?repo=R&at=T, POST /-/api/admin/prewarm/<repo>?root=&at=&path=&sha256= (or &name=&version=&arch=),"
      + " POST /-/api/admin/prewarm[/<repo>][?jobs=N] with JSON lines,"
      + " POST /-/api/admin/gc[/dry-run], GET /-/api/admin/gc";

  private final ServingContext sc;
  private final dev.reprox.server.gc.GcRunner gc;

  AdminActions(ServingContext sc) {
    this.sc = sc;
    this.gc = sc.gc;
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

  /** Answers {@code ex}; the persisted build record is deleted on the storage executor. */
  void serve(Exchange ex, HttpMethod method, RequestPath path) {
    List<String> s = path.segments();
    if ((s.size() == 4 || (s.size() == 5 && s.get(4).equals("dry-run"))) && s.get(3).equals("gc")) {
      ex.reply(gc(method, s, ex.head), "admin", false);
      return;
    }
    if (s.size() == 5 && s.get(3).equals("builds")) {
      if (!method.equals(HttpMethod.DELETE)) {
        FullHttpResponse r = RepositoryApi.error(FetchException.Kind.METHOD_NOT_ALLOWED,
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
            r = RepositoryApi.error(FetchException.unlessUnavailable(FetchException.Kind.STORAGE, e),
                "admin: forget build " + label + ": " + e.getMessage(), ex.head);
          }
          FullHttpResponse response = r;
          ex.ctx().executor().execute(() -> ex.reply(response, "admin", false));
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        ex.reply(RepositoryApi.error(FetchException.Kind.OVERLOADED, "admin: server busy",
            ex.head), "overloaded", false);
      }
      return;
    }
    if (s.size() == 5 && s.get(3).equals("prewarm")) {
      if (!method.equals(HttpMethod.POST)) {
        FullHttpResponse r = RepositoryApi.error(FetchException.Kind.METHOD_NOT_ALLOWED,
            "admin: " + method + " not allowed on /" + String.join("/", s) + ": use POST", ex.head);
        r.headers().set(HttpHeaderNames.ALLOW, "POST");
        ex.reply(r, "admin", false);
        return;
      }
      prewarm(ex, s.get(4));
      return;
    }
    ex.reply(RepositoryApi.error(FetchException.Kind.NOT_FOUND, "admin: no route /" + String.join("/", s)
        + " (" + ROUTES + ")", ex.head), "admin", false);
  }

  /**
   * {@code POST /-/api/admin/prewarm/<repo>?root=&at=&path=[&generation=][&sha256=][&q1=][&size=]}:
   * one lockfile entry fetched through the verified chain ({@link dev.reprox.server.fetch.Prewarm});
   * with {@code name=&version=&arch=} instead of a path (apt, a {@code .buildinfo}'s entry) the
   * package is first resolved in the Packages of the generation at T;
   * the answer is 200 with its outcome, whatever the outcome, so that a client counts them.
   */
  private void prewarm(Exchange ex, String repo) {
    io.netty.handler.codec.http.QueryStringDecoder q = new io.netty.handler.codec.http.QueryStringDecoder(ex.request.uri());
    // The repository is the path's: a "repo" parameter is the batch form's line field, not this form's.
    java.util.function.Function<String, String> p = k -> k.equals("repo") ? null
        : q.parameters().getOrDefault(k, List.of()).stream().findFirst().orElse(null);
    PrewarmEntry entry;
    try {
      entry = PrewarmEntry.parse(repo, p);
    } catch (RuntimeException e) {
      ex.reply(RepositoryApi.error(FetchException.Kind.BAD_REQUEST, "admin prewarm: " + e.getMessage(),
          ex.head), "bad_request", false);
      return;
    }
    if (sc.fetchers == null || !sc.config.repositories().containsKey(repo)) {
      ex.reply(RepositoryApi.error(FetchException.Kind.NOT_FOUND, "admin prewarm: unknown repository \""
          + repo + "\"", ex.head), "not_found", false);
      return;
    }
    entry.run(sc.fetchers).whenComplete((r, e) -> {
      ObjectNode o = entry.answer(JSON.createObjectNode(), r, e);
      FullHttpResponse response = Responses.full(HttpResponseStatus.OK, "application/json", o + "\n", ex.head);
      ex.ctx().executor().execute(() -> ex.reply(response, "admin", false));
    });
  }

  /** Forgets the label in memory and its persisted record. Blocks (storage). */
  private FullHttpResponse forgetBuild(String label, boolean head) throws java.io.IOException {
    var recent = sc.builds.forget(label);
    var record = sc.records == null ? java.util.Optional.<dev.reprox.storage.BuildLabel>empty() : sc.records.forget(label);
    if (recent.isEmpty() && record.isEmpty()) {
      return RepositoryApi.error(FetchException.Kind.NOT_FOUND,
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
