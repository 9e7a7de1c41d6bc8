package dev.reprox.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reprox.pinning.Resolution;
import dev.reprox.pinning.TimeSpec;
import dev.reprox.pinning.TimeSpecException;
import dev.reprox.server.fetch.FetchException;
import dev.reprox.server.fetch.FetchRequest;
import dev.reprox.storage.Generation;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * The read API: {@code GET /-/api/repos/<repo>/roots} (every root path with a generation),
 * {@code GET /-/api/repos/<repo>/generations?root=<path>} (every observed generation) and
 * {@code GET /-/api/repos/<repo>/resolve?root=<path>&at=<T>} (the Resolution, as a request at T
 * would get it: the first answer for a T is pinned, since the Resolver has no non-pinning peek).
 * Storage work runs off the event loop.
 */
final class RepositoryApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServingContext sc;

  RepositoryApi(ServingContext sc) {
    this.sc = sc;
  }

  boolean handles(RequestPath path) {
    List<String> s = path.segments();
    return s.size() == 5 && s.get(0).equals("-") && s.get(1).equals("api") && s.get(2).equals("repos");
  }

  void serve(Exchange ex, RequestPath path, String uri) {
    String repo = path.segments().get(3);
    String op = path.segments().get(4);
    QueryStringDecoder query = new QueryStringDecoder(uri);
    String root = first(query, "root", "dists/stable/InRelease");
    if (sc.fetchers == null || !sc.config.repositories().containsKey(repo)) {
      ex.error(HttpResponseStatus.NOT_FOUND, "api: unknown repository \"" + repo + "\"", "not_found", false);
      return;
    }
    Instant at;
    if (op.equals("resolve")) {
      try {
        at = TimeSpec.parse(first(query, "at", ""));
      } catch (TimeSpecException e) {
        ex.error(HttpResponseStatus.BAD_REQUEST, "api resolve: " + e.getMessage(), "bad_request", false);
        return;
      }
    } else if (op.equals("generations") || op.equals("roots")) {
      at = null;
    } else {
      ex.error(HttpResponseStatus.NOT_FOUND, "api: no operation \"" + op + "\" (generations, resolve, roots)",
          "not_found", false);
      return;
    }
    try {
      sc.fetchers.workExecutor().execute(() -> {
        FullHttpResponse r;
        try {
          String body = op.equals("roots") ? roots(repo)
              : at == null ? generations(repo, root) : resolve(repo, root, at);
          r = Responses.full(HttpResponseStatus.OK, "application/json", body, ex.head);
        } catch (Exception e) {
          FetchException f = FetchException.of(e, new FetchRequest(sc.config.repositories().get(repo), root));
          r = Responses.text(HttpResponseStatus.valueOf(f.kind().status()), "api " + op + ": " + f.getMessage() + "\n",
              ex.head);
        }
        FullHttpResponse response = r;
        ex.ctx().executor().execute(() -> ex.reply(response, "api", false));
      });
    } catch (RejectedExecutionException e) {
      ex.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "server busy", "overloaded", false);
    }
  }

  private String generations(String repo, String root) throws Exception {
    ArrayNode out = JSON.createArrayNode();
    for (Generation g : sc.fetchers.generationsBlocking(repo, root)) {
      ObjectNode o = out.addObject();
      o.put("publishedAt", g.publishedAt().toString());
      o.put("publishedEstimated", g.publishedEstimated());
      o.put("firstFetchedAt", g.firstFetchedAt().toString());
      o.put("lastFetchedAt", g.lastFetchedAt().toString());
      o.put("digest", g.digest().toString());
      o.put("signer", g.signer());
      o.put("source", g.source().name().toLowerCase(java.util.Locale.ROOT));
    }
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out) + "\n";
  }

  private String roots(String repo) throws Exception {
    ArrayNode out = JSON.createArrayNode();
    sc.fetchers.rootsBlocking(repo).forEach(out::add);
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out) + "\n";
  }

  private String resolve(String repo, String root, Instant at) throws Exception {
    Resolution res = sc.fetchers.resolveBlocking(repo, root, at);
    ObjectNode o = JSON.createObjectNode();
    o.put("repo", repo);
    o.put("root", root);
    o.put("at", at.toString());
    o.put("status", res.status().name().toLowerCase(java.util.Locale.ROOT));
    o.put("pin", res.headerValue());
    res.generation().ifPresent(g -> {
      o.put("generation", g.digest().toString());
      o.put("publishedAt", g.publishedAt().toString());
    });
    res.pin().ifPresent(p -> o.put("pinnedAt", p.pinnedAt().toString()));
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
  }

  private static String first(QueryStringDecoder q, String name, String fallback) {
    List<String> v = q.parameters().get(name);
    return v == null || v.isEmpty() ? fallback : v.get(0);
  }
}
