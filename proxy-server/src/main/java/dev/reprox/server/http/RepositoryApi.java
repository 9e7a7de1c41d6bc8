package dev.reprox.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reprox.pinning.TimeSpec;
import dev.reprox.pinning.TimeSpecException;
import dev.reprox.server.fetch.FetchException;
import dev.reprox.server.fetch.FetchRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

/**
 * The read API under {@code /-/api/} (except {@code /-/api/builds}, {@link AdminEndpoints}, and
 * the admin actions under {@code /-/api/admin/}, {@link AdminActions}):
 * {@code GET /-/api/repos/<repo>/roots} (every root path with a generation),
 * {@code GET /-/api/repos/<repo>/generations?root=<path>} (every observed generation) and
 * {@code GET /-/api/repos/<repo>/resolve?root=<path>&at=<T>} (what a request at T would be served
 * and whether that answer is or would be pinned). Both only read: nothing is fetched, nothing
 * pinned. {@code root} must pass the request-path rules ({@link RequestPath}) and be a root index
 * of the repository's format. Every error is JSON, {@link #error} (docs/api.md). Storage work
 * runs off the event loop.
 */
final class RepositoryApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DEFAULT_ROOT = "dists/stable/InRelease";

  private final ServingContext sc;
  private final RepositoryViews views;

  RepositoryApi(ServingContext sc) {
    this.sc = sc;
    this.views = new RepositoryViews(sc);
  }

  /** Everything under {@code /-/api/} but {@code /-/api/builds}. */
  boolean handles(RequestPath path) {
    List<String> s = path.segments();
    // Admin routes never reach here unguarded: RequestHandler sends them to ApiGuard first.
    return s.size() >= 2 && s.get(0).equals("-") && s.get(1).equals("api") && !BuildsApi.handles(path)
        && !ApiGuard.isAdmin(path);
  }

  /** The one shape of every API error: {@code {"error":{"status":404,"reason":"not_found","message":"..."}}}. */
  static FullHttpResponse error(FetchException.Kind kind, String message, boolean head) {
    return error(kind, kind.tag(), message, head);
  }

  /** With {@code reason} for the body's {@code "reason"} instead of the kind's name (an export's bundle error). */
  static FullHttpResponse error(FetchException.Kind kind, String reason, String message, boolean head) {
    HttpResponseStatus status = Exchange.status(kind.answer(null));
    ObjectNode o = JSON.createObjectNode();
    ObjectNode e = o.putObject("error");
    e.put("status", status.code());
    e.put("reason", reason);
    e.put("message", message);
    return Responses.full(status, "application/json", o.toString() + "\n", head);
  }

  private static void fail(Exchange ex, FetchException.Kind kind, String message) {
    ex.reply(error(kind, message, ex.head), kind.answer(null).outcome(), false);
  }

  void serve(Exchange ex, RequestPath path, String uri) {
    List<String> s = path.segments();
    if (s.equals(List.of("-", "api", "coverage"))) {
      coverage(ex, uri);
      return;
    }
    if (s.size() != 5 || !s.get(2).equals("repos")) {
      fail(ex, FetchException.Kind.NOT_FOUND, "api: no route /" + String.join("/", s)
          + " (/-/api/repos/<repo>/generations?root=, /-/api/repos/<repo>/resolve?root=&at=, /-/api/coverage?repo=,"
          + " /-/api/builds)");
      return;
    }
    String repo = s.get(3);
    String op = s.get(4);
    QueryStringDecoder query = new QueryStringDecoder(uri);
    if (sc.fetchers == null || !sc.config.repositories().containsKey(repo)) {
      fail(ex, FetchException.Kind.NOT_FOUND, "api: unknown repository \"" + repo + "\"");
      return;
    }
    if (!op.equals("resolve") && !op.equals("generations") && !op.equals("roots")) {
      fail(ex, FetchException.Kind.NOT_FOUND, "api: no operation \"" + op
          + "\" (generations, resolve, roots)");
      return;
    }
    String root = null;
    if (!op.equals("roots")) {
      try {
        root = rootParameter(repo, first(query, "root", DEFAULT_ROOT));
      } catch (RequestPath.Unsafe e) {
        fail(ex, FetchException.Kind.BAD_REQUEST, "api " + op + ": root: " + e.getMessage());
        return;
      }
    }
    Instant at = null;
    if (op.equals("resolve")) {
      try {
        at = TimeSpec.parse(first(query, "at", ""));
      } catch (TimeSpecException e) {
        fail(ex, FetchException.Kind.BAD_REQUEST, "api resolve: at: " + e.getMessage());
        return;
      }
    }
    Instant t = at;
    String checkedRoot = root;
    answerOffLoop(ex, repo, checkedRoot, "api " + op, () -> op.equals("roots") ? views.roots(repo)
        : t == null ? views.generations(repo, checkedRoot) : views.resolve(repo, checkedRoot, t));
  }

  /**
   * Runs {@code body} on the work executor (it reads storage) and answers its JSON on the loop, or
   * the error its failure maps to; {@code what} prefixes the error's message.
   */
  private void answerOffLoop(Exchange ex, String repo, String root, String what, Callable<String> body) {
    try {
      sc.fetchers.workExecutor().execute(() -> {
        FullHttpResponse r;
        String outcome = "api";
        try {
          r = Responses.full(HttpResponseStatus.OK, "application/json", body.call(), ex.head);
        } catch (Exception e) {
          FetchException f = FetchException.of(e, new FetchRequest(sc.config.repositories().get(repo),
              root == null ? "" : root));
          outcome = f.answer().outcome();
          r = error(f.kind(), what + ": " + f.getMessage(), ex.head);
        }
        FullHttpResponse response = r;
        String o = outcome;
        ex.ctx().executor().execute(() -> ex.reply(response, o, false));
      });
    } catch (RejectedExecutionException e) {
      fail(ex, FetchException.Kind.OVERLOADED, "server busy");
    }
  }

  /**
   * {@code GET /-/api/coverage?repo=<repo>[&root=<path>]}: per root (every observed one, or the
   * one named), the spans in which every T is proven and the gaps ({@link RepositoryViews#coverage}). Only reads.
   */
  private void coverage(Exchange ex, String uri) {
    QueryStringDecoder query = new QueryStringDecoder(uri);
    String repo = first(query, "repo", "");
    if (repo.isEmpty()) {
      fail(ex, FetchException.Kind.BAD_REQUEST, "api coverage: repo: missing (?repo=<name>)");
      return;
    }
    if (sc.fetchers == null || !sc.config.repositories().containsKey(repo)) {
      fail(ex, FetchException.Kind.NOT_FOUND, "api: unknown repository \"" + repo + "\"");
      return;
    }
    String root = null;
    if (query.parameters().containsKey("root")) {
      try {
        root = rootParameter(repo, first(query, "root", ""));
      } catch (RequestPath.Unsafe e) {
        fail(ex, FetchException.Kind.BAD_REQUEST, "api coverage: root: " + e.getMessage());
        return;
      }
    }
    String only = root;
    answerOffLoop(ex, repo, only, "api coverage", () -> views.coverage(repo, only));
  }

  /**
   * {@code root} (already percent-decoded by the query parser) as a repository path: encoded back
   * byte by byte and put through exactly the request-path rules (no dot segments, no empty
   * segments, no backslash, no control characters, valid UTF-8...), then required to be a root
   * index of the repository's format. Anything else could send an upstream GET outside the
   * repository's base and have it recorded and pinned.
   */
  private String rootParameter(String repo, String root) throws RequestPath.Unsafe {
    StringBuilder target = new StringBuilder("/r/");
    for (byte b : root.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean literal = c > 0x20 && c < 0x7f && c != '%' && c != '?' && c != '#';
      if (literal) {
        target.append((char) c);
      } else {
        target.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    RequestPath parsed = RequestPath.parse(target.toString());
    String path = parsed.rest();
    if (parsed.segments().size() < 2 || !path.equals(root)) {
      // A trailing slash or an empty root: not the path that was asked for.
      throw new RequestPath.Unsafe("\"" + root + "\" is not a path below the repository");
    }
    if (!sc.fetchers.isRootIndex(repo, path)) {
      throw new RequestPath.Unsafe("\"" + root + "\" is not a root index of repository " + repo
          + " (" + sc.config.repositories().get(repo).format().toString().toLowerCase(Locale.ROOT) + ")");
    }
    return path;
  }

  private static String first(QueryStringDecoder q, String name, String fallback) {
    List<String> v = q.parameters().get(name);
    return v == null || v.isEmpty() ? fallback : v.get(0);
  }
}
