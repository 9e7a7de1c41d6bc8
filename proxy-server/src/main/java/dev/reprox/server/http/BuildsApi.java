package dev.reprox.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reprox.server.fetch.FetchException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code GET /-/api/builds} (the recent labels in memory, {@link BuildLabels}, and the persisted
 * records' heads, {@link BuildRecorder}) and {@code GET /-/api/builds/<label>} (one persisted
 * record with every answer it was served). Storage reads run on the storage executor.
 */
final class BuildsApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServingContext sc;

  BuildsApi(ServingContext sc) {
    this.sc = sc;
  }

  static boolean handles(RequestPath path) {
    List<String> s = path.segments();
    return (s.size() == 3 || s.size() == 4) && s.get(0).equals("-") && s.get(1).equals("api")
        && s.get(2).equals("builds");
  }

  void serve(Exchange ex, RequestPath path) {
    List<String> s = path.segments();
    try {
      sc.storageExecutor.execute(() -> {
        FullHttpResponse r;
        String outcome = "api";
        try {
          r = s.size() == 3 ? list(ex.head) : one(s.get(3), ex.head);
          if (r.status().code() == 404) {
            outcome = "not_found";
          }
        } catch (Exception e) {
          var kind = FetchException.unlessUnavailable(FetchException.Kind.STORAGE, e);
          outcome = kind.answer(null).outcome();
          r = RepositoryApi.error(kind, "api builds: " + e.getMessage(), ex.head);
        }
        FullHttpResponse response = r;
        String o = outcome;
        ex.ctx().executor().execute(() -> ex.reply(response, o, false));
      });
    } catch (RejectedExecutionException e) {
      ex.reply(RepositoryApi.error(dev.reprox.server.fetch.FetchException.Kind.OVERLOADED, "api builds: server busy",
          ex.head), "overloaded", false);
    }
  }

  private FullHttpResponse list(boolean head) throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(sc.builds.json());
    if (sc.records != null) {
      root.put("retention", sc.records.settings().retention().toString());
      root.put("maxLabels", sc.records.settings().maxLabels());
      root.set("records", sc.records.heads());
    }
    return Responses.full(HttpResponseStatus.OK, "application/json", BuildRecorder.write(root), head);
  }

  private FullHttpResponse one(String label, boolean head) throws Exception {
    var json = sc.records == null ? java.util.Optional.<String>empty() : sc.records.json(label);
    return json.map(j -> Responses.full(HttpResponseStatus.OK, "application/json", j, head))
        .orElseGet(() -> RepositoryApi.error(dev.reprox.server.fetch.FetchException.Kind.NOT_FOUND,
            "api builds: no build record for label \"" + label + "\"", head));
  }
}
