package dev.reprox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprox.config.ApiConfig;
import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.ReproxServer;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.rocks.RocksStorage;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Build records persist (issue 11): a labelled forward-mode build's answers are in
 * {@code GET /-/api/builds/<label>} after a restart, the admin DELETE removes one, and a record
 * unused for {@code builds.retention} is gone after the next expiry.
 */
class BuildRecordsTest {
  private static final String ROOT = "dists/stable/InRelease";
  private static final Instant G1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final String ADMIN = "admin-0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private final HttpClient direct = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();

  private ReproxServer start(String yaml, MutableClock clock) throws Exception {
    Path config = tmp.resolve("reprox.yaml");
    Files.writeString(config, yaml);
    ReproxConfig cfg = ConfigLoader.load(Optional.of(config), Map.of(), new ConfigLoader.Overrides(
        Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(tmp.resolve("data")), Optional.of(false)));
    cfg = cfg.withApi(new ApiConfig(Optional.of(new ApiConfig.Token(ADMIN, Optional.empty())), Optional.empty()));
    return ReproxServer.builder().config(cfg)
        .storage(RocksStorage.builder().path(tmp.resolve("data").resolve("store")).clock(clock).build()).clock(clock)
        .drainTimeout(Duration.ofSeconds(2)).start();
  }

  private HttpResponse<String> api(ReproxServer s, String method, String path) throws Exception {
    return direct.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.address().getPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer " + ADMIN).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Polls {@code path} until {@code done} holds for its answer (records are written off the request path). */
  private HttpResponse<String> await(ReproxServer s, String path, Predicate<HttpResponse<String>> done)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    HttpResponse<String> r = api(s, "GET", path);
    while (!done.test(r) && System.nanoTime() < deadline) {
      Thread.sleep(20); // a poll interval, not a synchronisation: the condition decides
      r = api(s, "GET", path);
    }
    return r;
  }

  private static void build(ReproxServer s, String upstream, String label, String... paths) throws Exception {
    HttpClient proxied = HttpClient.newBuilder()
        .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", s.address().getPort()))).build();
    String basic = Base64.getEncoder()
        .encodeToString(("20240301T060000Z:" + label).getBytes(StandardCharsets.UTF_8));
    for (String path : paths) {
      HttpResponse<byte[]> r = proxied.send(HttpRequest.newBuilder(URI.create(upstream + "/" + path))
          .header("Proxy-Authorization", "Basic " + basic).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).as(path).isEqualTo(200);
    }
  }

  private static int cli(String... args) {
    return dev.reprox.server.cli.Main.run(new java.io.PrintWriter(System.out), new java.io.PrintWriter(System.err),
        args);
  }

  @Test
  void labelledBuild_recordSurvivesRestart_deleteRemovesIt_retentionExpiresIt() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(G1).add("foo", "1.0");
    AptGeneration g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    String deb = g1.deb("foo").poolPath();
    MutableClock clock = new MutableClock(G1.plus(Duration.ofHours(12)));
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      String up = upstream.baseUri().toString().replaceAll("/$", "");
      String yaml = "repositories:\n  fix:\n    format: apt\n    upstream: " + up + "\n    keyring: " + keyring
          + "\nbuilds:\n  retention: 90d\n";
      try (ReproxServer s = start(yaml, clock)) {
        build(s, up, "ci-7", ROOT, "dists/stable/main/binary-amd64/Packages.gz", deb);
        build(s, up, "ci-8", ROOT, "dists/stable/main/binary-amd64/Packages.gz", deb);
        await(s, "/-/api/builds/ci-8", r -> r.body().contains(deb));
      }

      try (ReproxServer s = start(yaml, clock)) {
        JsonNode list = JSON.readTree(api(s, "GET", "/-/api/builds").body());
        assertThat(list.path("records").findValuesAsText("label")).containsExactly("ci-7", "ci-8");
        assertThat(list.path("maxLabels").asInt()).isEqualTo(10_000);
        JsonNode one = JSON.readTree(await(s, "/-/api/builds/ci-7", r -> r.body().contains(deb)).body());
        JsonNode pkg = null;
        for (JsonNode e : one.path("served")) {
          if (e.path("path").asText().equals(deb)) {
            pkg = e;
          }
        }
        assertThat(pkg).as(one.toPrettyString()).isNotNull();
        assertThat(pkg.path("repository").asText()).isEqualTo("fix");
        assertThat(pkg.path("at").asText()).isEqualTo("2024-03-01T06:00:00Z");
        assertThat(pkg.path("sha256").asText()).isEqualTo(g1.deb("foo").sha256());
        assertThat(pkg.path("size").asLong()).isEqualTo(g1.deb("foo").size());
        assertThat(pkg.path("package").asBoolean()).isTrue();
        assertThat(pkg.path("root").asText()).isEqualTo(ROOT);
        assertThat(pkg.path("generation").asText()).isEqualTo("sha256:" + g1.inReleaseSha256());
        assertThat(pkg.path("pin").asText()).isNotEmpty();

        // reprox lock --label, from the running server: the package at its T, valid by the schema.
        Path lockfile = tmp.resolve("reprox.lock.json");
        assertThat(cli("lock", "--label", "ci-7", "--server", "http://127.0.0.1:" + s.address().getPort(),
            "-o", lockfile.toString())).isEqualTo(0);
        JsonNode lock = JSON.readTree(Files.readString(lockfile));
        assertThat(dev.reprox.server.lock.MiniSchema.check(JSON.readTree(Files.readString(Path.of(
            "../docs/lockfile.schema.json"))), lock)).isEmpty();
        JsonNode fix = lock.path("repositories").get(0);
        assertThat(fix.path("name").asText()).isEqualTo("fix");
        assertThat(fix.path("upstream").asText()).isEqualTo(up);
        assertThat(fix.path("at").asText()).isEqualTo("2024-03-01T06:00:00Z");
        assertThat(fix.path("roots").get(0).path("generation").asText()).isEqualTo("sha256:" + g1.inReleaseSha256());
        assertThat(fix.path("packages")).singleElement().satisfies(p -> {
          assertThat(p.path("path").asText()).isEqualTo(deb);
          assertThat(p.path("sha256").asText()).isEqualTo(g1.deb("foo").sha256());
        });
        // ci-8 used the same bytes: the same lockfile, byte for byte.
        Path other = tmp.resolve("ci-8.lock.json");
        assertThat(cli("lock", "--label", "ci-8", "--server", "http://127.0.0.1:" + s.address().getPort(),
            "-o", other.toString())).isEqualTo(0);
        assertThat(Files.readString(other)).isEqualTo(Files.readString(lockfile));

        HttpResponse<String> deleted = api(s, "DELETE", "/-/api/admin/builds/ci-8");
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(deleted.body()).contains("\"entries\":3");
        assertThat(api(s, "GET", "/-/api/builds/ci-8").statusCode()).isEqualTo(404);
      }

      // From the stopped store (its upstreams from the configuration): the same lockfile.
      Path fromData = tmp.resolve("data.lock.json");
      assertThat(cli("lock", "--label", "ci-7", "--data", tmp.resolve("data").toString(), "--config",
          tmp.resolve("reprox.yaml").toString(), "-o", fromData.toString())).isEqualTo(0);
      assertThat(Files.readString(fromData)).isEqualTo(Files.readString(tmp.resolve("reprox.lock.json")));
      clock.set(clock.instant().plus(Duration.ofDays(91)));
      try (ReproxServer s = start(yaml, clock)) {
        // Expiry runs at startup, off the event loop.
        assertThat(await(s, "/-/api/builds/ci-7", r -> r.statusCode() == 404).statusCode()).isEqualTo(404);
      }
    }
  }
}
