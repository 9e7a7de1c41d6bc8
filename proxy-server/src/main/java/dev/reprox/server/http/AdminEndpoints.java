package dev.reprox.server.http;

import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.StorageStats;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code /healthz}, {@code /readyz}, {@code /metrics}, {@code /-/api/builds} (recent build labels,
 * {@link BuildLabels}) and the small status page at {@code /-/}; any other {@code /-/...} path is
 * a 404 (under {@code /-/api/} {@link RepositoryApi} answers it, in JSON).
 */
final class AdminEndpoints {
  /** Below this much free space in the data directory {@code /readyz} reports the disk full. */
  static final long MIN_FREE_BYTES = 16L * 1024 * 1024;

  private final ServingContext sc;

  AdminEndpoints(ServingContext sc) {
    this.sc = sc;
  }

  /** The response for an admin path, or null when {@code path} is not one. */
  FullHttpResponse answer(RequestPath path, boolean head) {
    if (path.segments().size() == 1 && path.first().equals("healthz")) {
      return Responses.text(HttpResponseStatus.OK, "ok\n", head);
    }
    if (path.segments().size() == 1 && path.first().equals("readyz")) {
      if (!sc.ready.getAsBoolean()) {
        return Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: shutting down or storage closed\n", head);
      }
      String storage = storageProblem();
      return storage == null
          ? Responses.text(HttpResponseStatus.OK, "ready\n", head)
          : Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: storage: " + storage + "\n", head);
    }
    if (path.segments().size() == 1 && path.first().equals("metrics")) {
      return Responses.full(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
          sc.registry.scrape(), head);
    }
    if (path.segments().equals(java.util.List.of("-", "api", "builds"))) {
      return Responses.full(HttpResponseStatus.OK, "application/json", sc.builds.json(), head);
    }
    if (path.segments().equals(java.util.List.of("-"))) {
      return Responses.full(HttpResponseStatus.OK, "text/html; charset=utf-8", statusPage(), head);
    }
    if (path.first().equals("-")) {
      // Not the status page: a mistyped admin or API path must not look like a success.
      return Responses.text(HttpResponseStatus.NOT_FOUND, "no such page /" + String.join("/", path.segments())
          + " (/-/, /-/api/builds, /-/api/repos/<repo>/...)\n", head);
    }
    return null;
  }

  /**
   * Why the data directory cannot take writes, or null. A full disk makes every fill fail, so a
   * load balancer should stop sending misses here; one statfs per probe is cheap enough for the
   * event loop. A data directory that does not exist (tests without a store on disk) is not checked.
   */
  private String storageProblem() {
    java.nio.file.Path data = sc.config.data();
    if (data == null || !java.nio.file.Files.isDirectory(data)) {
      return null;
    }
    try {
      long free = java.nio.file.Files.getFileStore(data).getUsableSpace();
      return free < MIN_FREE_BYTES ? "no space left (" + free + " bytes free in " + data + ")" : null;
    } catch (java.io.IOException e) {
      return "cannot stat " + data + ": " + e.getMessage();
    }
  }

  private String statusPage() {
    StringBuilder sb = new StringBuilder(1024)
        .append("<!doctype html><html><head><meta charset=\"utf-8\"><title>reprox</title></head><body>")
        .append("<h1>reprox</h1><p>")
        .append(sc.config.offline() ? "offline" : "online")
        .append(", ").append(sc.inFlight.count()).append(" responses in progress</p>")
        .append(storeLine())
        .append("<table><tr><th>repository</th><th>format</th><th>upstream</th><th>mode</th></tr>");
    for (RepositoryConfig r : sc.config.repositories().values()) {
      sb.append("<tr><td>").append(escape(r.name()))
          .append("</td><td>").append(escape(String.valueOf(r.format()).toLowerCase(java.util.Locale.ROOT)))
          .append("</td><td>").append(escape(r.upstream().toString()))
          .append("</td><td>").append(r.offline() || sc.config.offline() ? "offline" : "live")
          .append("</td></tr>");
    }
    return sb.append("</table><p><a href=\"/metrics\">metrics</a></p></body></html>\n").toString();
  }

  private String storeLine() {
    StorageStats st = sc.storageStats.get();
    long lookups = st.cacheHits() + st.cacheMisses();
    return "<p>store: " + st.blobCount() + " blobs committed (" + st.blobBytes() + " bytes) since start; hot cache "
        + st.cacheBytes() + " bytes, hit ratio "
        + (lookups == 0 ? "n/a" : String.format(java.util.Locale.ROOT, "%.2f", (double) st.cacheHits() / lookups))
        + "</p>";
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
