package dev.reprox.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.ApiConfig;
import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.testing.CapturedLog;
import dev.reprox.storage.Aliases;
import dev.reprox.storage.BlobStore;
import dev.reprox.storage.BuildRecords;
import dev.reprox.storage.Observations;
import dev.reprox.storage.PathIndex;
import dev.reprox.storage.Pins;
import dev.reprox.storage.Refs;
import dev.reprox.storage.Storage;
import dev.reprox.storage.StorageUnavailableException;
import dev.reprox.storage.memory.MemoryStorage;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin and read tokens through a real server on a loopback port. */
class AdminApiTest {
  private static final String ADMIN = "admin-0123456789abcdef";
  private static final String READ = "read-0123456789abcdef";

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
      .connectTimeout(Duration.ofSeconds(10)).build();

  private ReproxServer server(ApiConfig api) throws Exception {
    return server(api, MemoryStorage.builder().build());
  }

  private ReproxServer server(ApiConfig api, Storage storage) throws Exception {
    Path config = dir.resolve("reprox.yaml");
    Files.writeString(config, "repositories:\n  fix:\n    format: apt\n    upstream: http://127.0.0.1:1/debian\n"
        + "    keyring: none\n");
    ReproxConfig cfg = ConfigLoader.load(Optional.of(config), Map.of(), new ConfigLoader.Overrides(
        Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(dir.resolve("data")), Optional.of(true)));
    return ReproxServer.builder().config(cfg.withApi(api)).storage(storage)
        .clock(Clock.systemUTC()).drainTimeout(Duration.ofSeconds(1)).start();
  }

  private static ApiConfig tokens(String admin, String read) {
    return new ApiConfig(Optional.ofNullable(admin).map(t -> new ApiConfig.Token(t, Optional.empty())),
        Optional.ofNullable(read).map(t -> new ApiConfig.Token(t, Optional.empty())));
  }

  private HttpResponse<String> send(ReproxServer server, String method, String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path))
        .timeout(Duration.ofSeconds(20)).method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A forward-mode request that records build label {@code label} (any answer will do). */
  private void recordBuild(ReproxServer server, String label) throws Exception {
    HttpClient proxied = HttpClient.newBuilder()
        .proxy(java.net.ProxySelector.of(new InetSocketAddress("127.0.0.1", server.address().getPort()))).build();
    String basic = java.util.Base64.getEncoder().encodeToString(("1700000000:" + label).getBytes());
    proxied.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:1/debian/dists/stable/InRelease"))
        .header("Proxy-Authorization", "Basic " + basic).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.discarding());
  }

  @Test
  void forgetBuild_withoutToken401_wrongToken401_rightToken200() throws Exception {
    try (ReproxServer server = server(tokens(ADMIN, null))) {
      recordBuild(server, "ci-42");
      assertThat(send(server, "GET", "/-/api/builds", null).body()).contains("\"ci-42\"");

      HttpResponse<String> none = send(server, "DELETE", "/-/api/admin/builds/ci-42", null);
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"reprox\"");
      assertThat(none.body()).contains("\"reason\":\"unauthorized\"");
      assertThat(send(server, "DELETE", "/-/api/admin/builds/ci-42", READ).statusCode()).isEqualTo(401);
      assertThat(send(server, "GET", "/-/api/builds", null).body()).contains("\"ci-42\"");

      HttpResponse<String> ok = send(server, "DELETE", "/-/api/admin/builds/ci-42", ADMIN);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("{\"forgotten\":\"ci-42\",\"requests\":1}\n");
      assertThat(send(server, "GET", "/-/api/builds", null).body()).doesNotContain("ci-42");
      assertThat(send(server, "DELETE", "/-/api/admin/builds/ci-42", ADMIN).statusCode()).isEqualTo(404);
      HttpResponse<String> get = send(server, "GET", "/-/api/admin/builds/ci-42", ADMIN);
      assertThat(get.statusCode()).isEqualTo(405);
      assertThat(get.headers().firstValue("Allow")).contains("DELETE");
      // Without the token nothing about the routes shows: an unknown admin route is 401 too.
      assertThat(send(server, "POST", "/-/api/admin/nosuch", null).statusCode()).isEqualTo(401);
      assertThat(send(server, "POST", "/-/api/admin/nosuch", ADMIN).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void adminAction_withBody_400AndClosed_refusalLoggedAsWarning() throws Exception {
    try (CapturedLog log = new CapturedLog(Class.forName("dev.reprox.server.http.RequestHandler"));
        ReproxServer server = server(tokens(ADMIN, null))) {
      HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort()
              + "/-/api/admin/builds/x")).header("Authorization", "Bearer " + ADMIN)
          .method("DELETE", HttpRequest.BodyPublishers.ofString("{\"a\":1}")).timeout(Duration.ofSeconds(20)).build();
      HttpResponse<String> r = http.send(post, HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body()).contains("admin actions take no request body");
      assertThat(r.headers().firstValue("Connection")).contains("close");

      assertThat(log.warnings()).isEmpty();
      assertThat(send(server, "DELETE", "/-/api/admin/builds/y", "wrong").statusCode()).isEqualTo(401);
      assertThat(log.warnings()).singleElement().asString()
          .startsWith("admin: refused DELETE /-/api/admin/builds/y from /127.0.0.1:")
          .endsWith(": 401 Unauthorized").doesNotContain("wrong");
    }
  }

  @Test
  void adminAction_noAdminToken_403Disabled() throws Exception {
    try (ReproxServer server = server(ApiConfig.NONE)) {
      HttpResponse<String> r = send(server, "DELETE", "/-/api/admin/builds/x", "anything");

      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.body()).isEqualTo("{\"error\":{\"status\":403,\"reason\":\"admin_disabled\",\"message\":"
          + "\"admin actions are disabled: no api.admin-token configured\"}}\n");
      // Other non-GET methods elsewhere stay what they were.
      assertThat(send(server, "DELETE", "/fix/dists/stable/InRelease", null).statusCode()).isEqualTo(405);
    }
  }

  @Test
  void readToken_set_guardsApiAndStatusPage_notPackagesHealthOrMetrics() throws Exception {
    try (ReproxServer server = server(tokens(ADMIN, READ))) {
      for (String path : new String[] {"/-/", "/-/api/builds", "/-/api/repos/fix/roots"}) {
        HttpResponse<String> r = send(server, "GET", path, null);
        assertThat(r.statusCode()).as(path).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).as(path).contains("Bearer realm=\"reprox\"");
        assertThat(send(server, "GET", path, "wrong").statusCode()).as(path).isEqualTo(401);
        assertThat(send(server, "GET", path, READ).statusCode()).as(path).isEqualTo(200);
        assertThat(send(server, "GET", path, ADMIN).statusCode()).as(path).isEqualTo(200);
      }
      for (String path : new String[] {"/healthz", "/readyz", "/metrics"}) {
        assertThat(send(server, "GET", path, null).statusCode()).as(path).isEqualTo(200);
      }
      // A package path never asks for a token: offline with nothing stored it is a miss, not a 401.
      assertThat(send(server, "GET", "/fix/pool/main/a.deb", null).statusCode()).isNotEqualTo(401);
    }
  }

  private static final String PG_DOWN = "builds: database (PostgreSQL) unavailable: Connection refused";

  /**
   * A memory store whose build records fail as a shared store's do while PostgreSQL is down, and
   * whose health check says so.
   */
  private static Storage postgresDown(Storage d) {
    BuildRecords down = (BuildRecords) java.lang.reflect.Proxy.newProxyInstance(BuildRecords.class.getClassLoader(),
        new Class<?>[] {BuildRecords.class}, (proxy, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return method.getName().equals("equals") ? proxy == args[0]
                : method.getName().equals("hashCode") ? 0 : "postgres-down build records";
          }
          throw new StorageUnavailableException(PG_DOWN, new java.net.ConnectException("Connection refused"));
        });
    return new Storage() {
      @Override
      public BlobStore blobs() {
        return d.blobs();
      }

      @Override
      public Aliases aliases() {
        return d.aliases();
      }

      @Override
      public Observations observations() {
        return d.observations();
      }

      @Override
      public Pins pins() {
        return d.pins();
      }

      @Override
      public PathIndex paths() {
        return d.paths();
      }

      @Override
      public Refs refs() {
        return d.refs();
      }

      @Override
      public BuildRecords builds() {
        return down;
      }

      @Override
      public Optional<String> unavailable() {
        return Optional.of("database (PostgreSQL) unavailable: Connection refused");
      }

      @Override
      public void close() {
        d.close();
      }
    };
  }

  @Test
  void storeDown_buildsApiForgetAndLabelExport_503StorageUnavailable() throws Exception {
    try (ReproxServer server = server(tokens(ADMIN, null), postgresDown(MemoryStorage.builder().build()))) {
      for (String[] call : new String[][] {{"GET", "/-/api/builds"}, {"GET", "/-/api/builds/ci-1"},
          {"DELETE", "/-/api/admin/builds/ci-1"}, {"GET", "/-/api/admin/export?label=ci-1"}}) {
        HttpResponse<String> r = send(server, call[0], call[1], ADMIN);
        assertThat(r.statusCode()).as(call[1] + ": " + r.body()).isEqualTo(503);
        assertThat(r.body()).as(call[1]).contains("\"reason\":\"storage_unavailable\"")
            .contains("database (PostgreSQL) unavailable");
      }
    }
  }

  @Test
  void storeDown_readyz503NamingIt_healthzStill200() throws Exception {
    try (ReproxServer server = server(ApiConfig.NONE, postgresDown(MemoryStorage.builder().build()))) {
      HttpResponse<String> r = send(server, "GET", "/readyz", null);

      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).isEqualTo("not ready: storage: database (PostgreSQL) unavailable: Connection refused\n");
      assertThat(send(server, "GET", "/healthz", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void readToken_unset_readsOpen() throws Exception {
    try (ReproxServer server = server(tokens(ADMIN, null))) {
      for (String path : new String[] {"/-/", "/-/api/builds", "/-/api/repos/fix/roots"}) {
        assertThat(send(server, "GET", path, null).statusCode()).as(path).isEqualTo(200);
      }
    }
  }

  @Test
  void startupLine_saysWhetherAdminApiIsEnabled() throws Exception {
    try (CapturedLog log = new CapturedLog(NettyReproxServer.class)) {
      try (ReproxServer server = server(ApiConfig.NONE)) {
        assertThat(log.lines(ch.qos.logback.classic.Level.INFO)).anySatisfy(line -> assertThat(line)
            .startsWith("listening on 127.0.0.1:" + server.address().getPort())
            .contains("admin API disabled (no token)", "read API open"));
      }
      try (ReproxServer server = server(tokens(ADMIN, READ))) {
        assertThat(log.lines(ch.qos.logback.classic.Level.INFO)).anySatisfy(line -> assertThat(line)
            .startsWith("listening on 127.0.0.1:" + server.address().getPort())
            .contains("admin API enabled (bearer token)", "read API needs a token").doesNotContain(ADMIN, READ));
      }
    }
  }

  @Test
  void gc_withoutToken401_startsWith202_reportShowsInGetMetricsAndStatusPage() throws Exception {
    try (ReproxServer server = server(tokens(ADMIN, null))) {
      assertThat(send(server, "POST", "/-/api/admin/gc", null).statusCode()).isEqualTo(401);
      assertThat(send(server, "GET", "/-/api/admin/gc", null).statusCode()).isEqualTo(401);
      assertThat(send(server, "DELETE", "/-/api/admin/gc", ADMIN).statusCode()).isEqualTo(405);
      assertThat(send(server, "GET", "/-/", null).body()).contains("never");

      HttpResponse<String> started = send(server, "POST", "/-/api/admin/gc/dry-run", ADMIN);

      assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
      assertThat(started.body()).contains("\"run\":1", "\"dryRun\":true");
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      String state = "";
      while (System.nanoTime() < deadline && !state.contains("\"summary\"")) {
        state = send(server, "GET", "/-/api/admin/gc", ADMIN).body(); // polls the job's state until it reports
      }
      assertThat(state).contains("\"run\":1", "\"dryRun\":true", "gc: would delete 0 generations");
      assertThat(send(server, "GET", "/-/", null).body()).contains("(dry run): gc: would delete");
      assertThat(send(server, "GET", "/metrics", null).body()).contains("reprox_gc_last_run_timestamp_seconds")
          .contains("reprox_gc_last_reclaimed_bytes").contains("reprox_gc_last_duration_seconds");
      HttpResponse<String> real = send(server, "POST", "/-/api/admin/gc", ADMIN);
      assertThat(real.statusCode()).isIn(202, 409);
    }
  }

  @Test
  void gcCommand_server_startsARunThroughTheAdminApi_andPrintsItsReport() throws Exception {
    Path token = dir.resolve("admin.token");
    Files.writeString(token, ADMIN + "\n");
    try (ReproxServer server = server(tokens(ADMIN, null))) {
      String url = "http://127.0.0.1:" + server.address().getPort();
      java.io.StringWriter out = new java.io.StringWriter();
      java.io.StringWriter err = new java.io.StringWriter();

      int code = dev.reprox.server.cli.Main.run(new java.io.PrintWriter(out), new java.io.PrintWriter(err),
          "gc", "--server", url, "--token-file", token.toString(), "--dry-run");

      assertThat(code).as(err.toString()).isZero();
      assertThat(out.toString()).startsWith("gc: would delete 0 generations");
      int refused = dev.reprox.server.cli.Main.run(new java.io.PrintWriter(out), new java.io.PrintWriter(err),
          "gc", "--server", url);
      assertThat(refused).isEqualTo(1);
      assertThat(err.toString()).contains("401");
    }
  }
}
