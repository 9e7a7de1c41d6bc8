package dev.reprox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reprox.config.ApiConfig;
import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.ReproxServer;
import dev.reprox.server.cli.Main;
import dev.reprox.server.testing.CapturedLog;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import dev.reprox.storage.rocks.RocksStorage;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.apt.DebPackage;
import dev.reprox.testkit.http.StaticServer;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch form of the admin prewarm route (issue 11, {@code POST /-/api/admin/prewarm} with
 * JSON lines): one outcome line per entry, matched by line number; a malformed line is answered
 * naming it and the batch goes on; a lockfile hash that disagrees stores and fetches nothing; the
 * token is checked before the body is read; {@code reprox prewarm --server} sends the lockfile in
 * requests of 256 entries (one here); a client that goes away stops the entries not started.
 */
class PrewarmBatchTest {
  private static final String ROOT = "dists/stable/InRelease";
  private static final Instant G1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final String T = "20240301T060000Z";
  private static final String TOKEN = "s3cret-admin-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private AptGeneration g1;
  private Path keyring;
  private Path repoRoot;

  @BeforeEach
  void repository() {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(G1).add("foo", "1.0").add("bar", "2.0");
    for (int i = 0; i < 4; i++) {
      repo.add(DebPackage.of("pkg" + i, "1.0").withPayloadSize(64 * 1024));
    }
    g1 = repo.publish();
    keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    repoRoot = repo.root();
  }

  private Path config(String upstream) throws Exception {
    Path file = tmp.resolve("reprox.yaml");
    Files.writeString(file, "repositories:\n  fix:\n    format: apt\n    upstream: " + upstream + "\n    keyring: "
        + keyring + "\n");
    return file;
  }

  private ReproxServer start(String upstream, Path data) throws Exception {
    ReproxConfig cfg = ConfigLoader.load(Optional.of(config(upstream)), Map.of(), new ConfigLoader.Overrides(
        Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(data), Optional.empty()));
    cfg = cfg.withApi(new ApiConfig(Optional.of(new ApiConfig.Token(TOKEN, Optional.empty())), Optional.empty()));
    return ReproxServer.builder().config(cfg).storage(RocksStorage.builder().path(data.resolve("store")).build())
        .clock(Clock.systemUTC()).drainTimeout(Duration.ofSeconds(2)).start();
  }

  private static String base(ReproxServer s) {
    return "http://127.0.0.1:" + s.address().getPort();
  }

  private String line(String name, String sha256) {
    AptGeneration.BuiltDeb d = g1.deb(name);
    ObjectNode o = JSON.createObjectNode().put("repo", "fix").put("root", ROOT).put("at", T)
        .put("path", d.poolPath()).put("sha256", sha256 == null ? d.sha256() : sha256).put("size", d.size());
    return o + "\n";
  }

  private static HttpResponse<String> batch(ReproxServer s, String token, String query, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(s) + "/-/api/admin/prewarm" + query))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build().send(b.build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The answer's lines by their {@code line} number. */
  private static Map<Integer, JsonNode> outcomes(String body) throws Exception {
    Map<Integer, JsonNode> byLine = new HashMap<>();
    for (String l : body.split("\n")) {
      JsonNode o = JSON.readTree(l);
      assertThat(byLine.put(o.path("line").asInt(), o)).as("one answer per line: " + body).isNull();
    }
    return byLine;
  }

  @Test
  void batch_oneOutcomePerLine_malformedLineNamed_wrongSha256FetchesAndStoresNothing() throws Exception {
    try (StaticServer upstream = StaticServer.serve(repoRoot)) {
      String up = upstream.baseUri().toString().replaceAll("/$", "");
      try (ReproxServer s = start(up, tmp.resolve("data"))) {
        String wrong = "0".repeat(64);
        String body = line("foo", null) + "{\"repo\": \"fix\", \"root\": \n" + line("bar", wrong)
            + line("foo", null).replace("\"fix\"", "\"nope\"") + "{\"repo\":\"fix\",\"root\":\"" + ROOT
            + "\",\"at\":\"" + T + "\"}\n";

        HttpResponse<String> r = batch(s, TOKEN, "?jobs=2", body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/x-ndjson");
        Map<Integer, JsonNode> o = outcomes(r.body());
        assertThat(o).containsOnlyKeys(1, 2, 3, 4, 5);
        assertThat(o.get(1).path("outcome").asText()).as(o.get(1).toString()).isEqualTo("stored");
        assertThat(o.get(1).path("entry").asText()).isEqualTo(g1.deb("foo").poolPath());
        assertThat(o.get(2).path("outcome").asText()).isEqualTo("bad_request");
        assertThat(o.get(2).path("message").asText()).startsWith("line 2: ");
        assertThat(o.get(3).path("outcome").asText()).isEqualTo("mismatch");
        assertThat(o.get(3).path("message").asText()).contains("sha256:" + g1.deb("bar").sha256())
            .contains("sha256:" + wrong);
        assertThat(o.get(4).path("outcome").asText()).isEqualTo("not_found");
        assertThat(o.get(4).path("message").asText()).contains("unknown repository \"nope\"");
        assertThat(o.get(5).path("outcome").asText()).isEqualTo("bad_request");
        assertThat(o.get(5).path("message").asText()).startsWith("line 5: ").contains("path");
        assertThat(upstream.requestsFor("/" + g1.deb("bar").poolPath())).as("the mismatch fetched nothing").isEmpty();

        // Same connection pool, a second batch: foo is there, bar was not stored by the mismatch.
        Map<Integer, JsonNode> again = outcomes(batch(s, TOKEN, "", line("foo", null) + line("bar", null)).body());
        assertThat(again.get(1).path("outcome").asText()).isEqualTo("present");
        assertThat(again.get(2).path("outcome").asText()).isEqualTo("stored");
      }
    }
  }

  @Test
  void batch_tokenCheckedBeforeTheBody_401WithoutIt_100ContinueWithIt() throws Exception {
    try (StaticServer upstream = StaticServer.serve(repoRoot)) {
      String up = upstream.baseUri().toString().replaceAll("/$", "");
      try (ReproxServer s = start(up, tmp.resolve("data"))) {
        assertThat(batch(s, null, "", line("foo", null)).statusCode()).isEqualTo(401);
        // Only the head, asking to go on: the answer comes before any entry is sent.
        for (String token : new String[] {null, "not-the-token", TOKEN}) {
          try (Socket c = new Socket("127.0.0.1", s.address().getPort())) {
            c.setSoTimeout(10_000);
            c.getOutputStream().write(("POST /-/api/admin/prewarm/fix HTTP/1.1\r\nHost: reprox\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(c.getInputStream(),
                StandardCharsets.ISO_8859_1)).readLine();
            assertThat(status).as(String.valueOf(token)).startsWith(token == TOKEN ? "HTTP/1.1 100 " : "HTTP/1.1 401 ");
          }
        }
        assertThat(upstream.requests()).isEmpty();
      }
    }
  }

  @Test
  void cliServer_wholeLockfileInOneRequest_secondRunAllPresent() throws Exception {
    try (StaticServer upstream = StaticServer.serve(repoRoot)) {
      String up = upstream.baseUri().toString().replaceAll("/$", "");
      ObjectNode lock = JSON.createObjectNode().put("lockfileVersion", 1);
      ObjectNode repo = lock.putArray("repositories").addObject().put("name", "fix").put("at", "2024-03-01T06:00:00Z");
      repo.putArray("roots").addObject().put("path", ROOT).put("generation", "sha256:" + g1.inReleaseSha256());
      ArrayNode packages = repo.putArray("packages");
      for (AptGeneration.BuiltDeb d : g1.debs()) {
        packages.addObject().put("path", d.poolPath()).put("sha256", d.sha256()).put("size", d.size());
      }
      Path lockfile = tmp.resolve("reprox.lock.json");
      Files.writeString(lockfile, JSON.writeValueAsString(lock));
      Path token = Files.writeString(tmp.resolve("token"), TOKEN + "\n");
      int n = g1.debs().size();
      try (ReproxServer s = start(up, tmp.resolve("data"));
          CapturedLog log = new CapturedLog("dev.reprox.server.http.AdminActions")) {
        Run first = cli("prewarm", "--server", base(s), "--token-file", token.toString(), "--jobs", "3",
            lockfile.toString());
        assertThat(first.code()).as(first.out() + first.err()).isZero();
        assertThat(first.out()).containsPattern("stored +" + n + "\\n").containsPattern("prewarm " + n + "/" + n
            + " stored fix/pool/");
        awaitTrue("the batch ended", () -> !batches(log).isEmpty());
        // Requests of 256 entries: ceil(6 / 256) = one for this lockfile.
        assertThat(batches(log)).as("one batch request for the lockfile").hasSize(1).allMatch(l -> l.contains(": " + n
            + " entries (" + n + " stored)"));

        upstream.clearRequests();
        Run second = cli("prewarm", "--server", base(s), "--token-file", token.toString(), lockfile.toString());
        assertThat(second.code()).as(second.out() + second.err()).isZero();
        assertThat(second.out()).containsPattern("already present +" + n + "\\n");
        assertThat(upstream.requests()).isEmpty();

        Run refused = cli("prewarm", "--server", base(s), lockfile.toString());
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.out()).containsPattern("upstream failure +" + n + "\\n");
        assertThat(refused.err()).contains("reprox answered 401");
      }
    }
  }

  @Test
  void clientGoneMidBatch_entriesNotStartedAreDropped_nothingPartialStored() throws Exception {
    Path data = tmp.resolve("data");
    try (StaticServer upstream = StaticServer.serve(repoRoot);
        CapturedLog log = new CapturedLog("dev.reprox.server.http.AdminActions")) {
      String up = upstream.baseUri().toString().replaceAll("/$", "");
      try (ReproxServer s = start(up, data)) {
        // The root and the listing first, at full speed; then the packages crawl (64 KiB in ~4 s).
        assertThat(outcomes(batch(s, TOKEN, "", line("pkg0", null)).body()).get(1).path("outcome").asText())
            .isEqualTo("stored");
        upstream.throttle(16 * 1024);
        try (Socket c = new Socket("127.0.0.1", s.address().getPort())) {
          OutputStream out = c.getOutputStream();
          String lines = line("pkg1", null) + line("pkg2", null) + line("pkg3", null);
          byte[] chunk = lines.getBytes(StandardCharsets.UTF_8);
          out.write(("POST /-/api/admin/prewarm?jobs=1 HTTP/1.1\r\nHost: reprox\r\nAuthorization: Bearer " + TOKEN
              + "\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(chunk.length) + "\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
          out.write(chunk);
          out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          awaitTrue("pkg1 asked of the upstream", () -> !upstream.requestsFor("/" + g1.deb("pkg1").poolPath())
              .isEmpty());
        } // the client goes away while pkg1 downloads, pkg2 and pkg3 queued behind it (jobs=1)
        awaitTrue("the batch saw the connection close", () -> log.lines(ch.qos.logback.classic.Level.INFO).stream()
            .anyMatch(l -> l.contains("prewarm batch from") && l.contains("cut after 1 entries started")));
        assertThat(upstream.requestsFor("/" + g1.deb("pkg2").poolPath())).isEmpty();
        assertThat(upstream.requestsFor("/" + g1.deb("pkg3").poolPath())).isEmpty();
      }
    }
    try (Storage store = RocksStorage.builder().path(data.resolve("store")).readOnly(true).build()) {
      for (String name : new String[] {"pkg2", "pkg3"}) {
        assertThat(store.blobs().stat(Digest.sha256(g1.deb(name).sha256()))).as(name).isEmpty();
      }
      // pkg1 ran on (or was abandoned when the server stopped): whole or absent, never partial.
      store.blobs().stat(Digest.sha256(g1.deb("pkg1").sha256()))
          .ifPresent(b -> assertThat(b.size()).isEqualTo(g1.deb("pkg1").size()));
    }
  }

  /** The INFO lines of the batches that ended. */
  private static java.util.List<String> batches(CapturedLog log) {
    return log.lines(ch.qos.logback.classic.Level.INFO).stream().filter(l -> l.startsWith("admin: prewarm batch from"))
        .toList();
  }

  private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() < deadline).as("within 30 s: " + what).isTrue();
      Thread.sleep(20); // a poll interval, not a synchronisation
    }
  }

  record Run(int code, String out, String err) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }
}
