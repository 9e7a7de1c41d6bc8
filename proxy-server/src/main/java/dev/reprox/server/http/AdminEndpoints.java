package dev.reprox.server.http;

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

  /** True for the status page, which {@link #serveStatusPage} answers off the event loop. */
  static boolean isStatusPage(RequestPath path) {
    return path.segments().equals(java.util.List.of("-"));
  }

  /**
   * The status page ({@link StatusPage}): storage is read on the API's work executor (or the
   * storage executor without one), never on the event loop, and the reply goes back to it.
   */
  void serveStatusPage(Exchange ex) {
    java.util.concurrent.Executor work = sc.fetchers != null ? sc.fetchers.workExecutor() : sc.storageExecutor;
    try {
      work.execute(() -> {
        FullHttpResponse r;
        try {
          String html = StatusPage.render(StatusPage.gather(sc, sc.clock.instant()));
          r = Responses.full(HttpResponseStatus.OK, "text/html; charset=utf-8", html, ex.head);
          r.headers().set(io.netty.handler.codec.http.HttpHeaderNames.CACHE_CONTROL, "no-store");
        } catch (RuntimeException e) {
          r = Responses.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "status page: " + e + "\n", ex.head);
        }
        FullHttpResponse response = r;
        ex.ctx().executor().execute(() -> ex.reply(response, "admin", false));
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      ex.reply(Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "server busy\n", ex.head), "overloaded", false);
    }
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
    if (path.segments().isEmpty()) {
      // The bare root names no repository (no repository is called ""): send people to the status page.
      FullHttpResponse r = Responses.full(HttpResponseStatus.FOUND, "text/html; charset=utf-8",
          "<!doctype html><a href=\"/-/\">reprox status</a>\n", head);
      r.headers().set(io.netty.handler.codec.http.HttpHeaderNames.LOCATION, "/-/");
      return r;
    }
    if (path.first().equals("-")) {
      // Not the status page: a mistyped admin or API path must not look like a success.
      return Responses.text(HttpResponseStatus.NOT_FOUND, "no such page /" + String.join("/", path.segments())
          + " (/-/, /-/api/builds, /-/api/repos/<repo>/..., /-/api/admin/...)\n", head);
    }
    return null;
  }

  /**
   * Why the store cannot serve, or null: a part of a shared store that cannot be reached (every
   * miss would answer 503: a load balancer should send requests to a replica that can), or a data
   * directory that cannot take writes. A full disk makes every fill fail, so a
   * load balancer should stop sending misses here; one statfs per probe is cheap enough for the
   * event loop. A data directory that does not exist (tests without a store on disk) is not checked.
   */
  private String storageProblem() {
    // The shared store's PostgreSQL or bucket, from its last background check (a field read).
    java.util.Optional<String> down = sc.storageUnavailable.get();
    if (down.isPresent()) {
      return down.get();
    }
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

}
