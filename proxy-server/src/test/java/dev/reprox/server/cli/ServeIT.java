package dev.reprox.server.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.reprox.server.testing.MetricsPoll;
import dev.reprox.server.testing.ReproxProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.reprox.testkit.pgp.SigningKey;

/**
 * {@code reprox serve} as a real child JVM (the shaded jar, leak detection paranoid) in front of
 * a WireMock upstream. The server is started once; each test uses its own upstream path.
 */
class ServeIT {
  @TempDir
  static Path dir;

  static WireMockServer upstream;
  static Process server;
  static Path serverLog;
  static String base;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = new WireMockServer(wireMockConfig().dynamicPort());
    upstream.start();
    Path config = dir.resolve("reprox.yaml");
    Files.writeString(config, "repositories:\n"
        + "  test:\n"
        + "    format: apt\n"
        + "    upstream: http://127.0.0.1:" + upstream.port() + "/up\n"
        + "    keyring: " + SigningKey.ed25519("serve-it").writeKeyring(dir.resolve("it.gpg")) + "\n"
        // Any keyring: without one, the paths below would be relayed, not stored (decisions.md).
        // The pass-through under test: paths outside every trust chain, kept for an hour so that
        // a slow run does not revalidate them; 5xx answered at once, not retried politely.
        + "    root-ttl: 1h\n"
        + "upstreams:\n"
        + "  \"http://127.0.0.1:" + upstream.port() + "\":\n"
        + "    retries: 0\n"
        + "    breaker-failures: 1000\n");
    serverLog = dir.resolve("server.log");
    server = reprox(serverLog, "serve", "--config", config.toString(), "--data", dir.resolve("data").toString(),
        "--listen", "127.0.0.1:0", "--drain-timeout", "2").start();
    base = "http://" + readListeningLine(server) + "/test/";
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (server != null) {
        server.destroy(); // SIGTERM: the graceful shutdown path
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("reprox exits after SIGTERM").isTrue();
        String log = Files.readString(serverLog);
        assertThat(log).contains("shutdown: storage closed").doesNotContain("LEAK");
      }
    } finally {
      if (upstream != null) {
        upstream.stop();
      }
    }
  }

  // Leak detection paranoid; full JIT, unlike the reliability children.
  static ProcessBuilder reprox(Path log, String... args) {
    return ReproxProcess.command(ReproxProcess.JAR,
        List.of("-Dio.netty.leakDetection.level=paranoid", "-Xmx256m"), log, args);
  }

  private static String readListeningLine(Process p) throws Exception {
    return readListeningLine(p, serverLog);
  }

  private static String readListeningLine(Process p, Path log) throws Exception {
    return ReproxProcess.readListeningLine(p, log, Duration.ofSeconds(60));
  }

  private static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static HttpResponse<byte[]> send(String path, String... headers) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path));
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
    }
    return client.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void get_twice_secondFromStoreAndIdentical() throws Exception {
    byte[] body = randomBytes(3 * 1024 * 1024 + 17, 1);
    upstream.stubFor(get("/up/files/big.bin").willReturn(aResponse().withStatus(200).withBody(body)));

    HttpRequest scrape = HttpRequest.newBuilder(URI.create(base.replace("/test/", "/metrics"))).build();
    MetricsPoll.Read metricsText = () -> client.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
    double blobsBefore = storeBlobs(metricsText.text());

    HttpResponse<byte[]> first = send("files/big.bin");
    // The first response's last byte can reach this client just before its fill is committed, and
    // a request in that gap joins the fill (a MISS): the second asks once the blob is stored.
    MetricsPoll.until(metricsText, text -> storeBlobs(text) > blobsBefore);
    HttpResponse<byte[]> second = send("files/big.bin");

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(first.body()).isEqualTo(body);
    assertThat(second.body()).isEqualTo(body);
    assertThat(second.headers().firstValue("ETag")).hasValueSatisfying(e -> assertThat(e).startsWith("\"sha256:"));
    upstream.verify(1, getRequestedFor(urlEqualTo("/up/files/big.bin")));
    assertThat(first.headers().firstValue("X-Reprox-Cache")).hasValue("MISS");
    assertThat(second.headers().firstValue("X-Reprox-Cache")).hasValue("HIT");

    // The second request is counted when its response has ended on the server's side, which can
    // be just after this client read its last byte: read /metrics until both requests show.
    String kind = "reprox_requests_seconds_count\\{kind=\"[a-z]+\",";
    Pattern miss = Pattern.compile(kind + "outcome=\"miss\",repository=\"test\",");
    Pattern hit = Pattern.compile(kind + "outcome=\"hit\",repository=\"test\",");
    String servedHit = "reprox_served_bytes_total{outcome=\"hit\",repository=\"test\"}";
    String metrics = MetricsPoll.until(metricsText,
        text -> miss.matcher(text).find() && hit.matcher(text).find() && text.contains(servedHit));
    assertThat(metrics)
        .containsPattern(miss)
        .containsPattern(hit)
        .contains(servedHit)
        .contains("jvm_memory_used_bytes")
        .contains("netty_allocator_memory_used")
        .contains("reprox_store_blobs");
  }

  /** {@code reprox_store_blobs} in a reading of {@code /metrics}. */
  private static double storeBlobs(String metrics) {
    Matcher m = Pattern.compile("(?m)^reprox_store_blobs(?:\\{[^}]*\\})? ([0-9.eE+]+)$").matcher(metrics);
    assertThat(m.find()).as("reprox_store_blobs in /metrics").isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void head_givesContentLength_rangeGivesSlice() throws Exception {
    byte[] body = randomBytes(1_500_000, 2);
    upstream.stubFor(get("/up/files/ranged.bin").willReturn(aResponse().withStatus(200).withBody(body)));
    assertThat(send("files/ranged.bin").body()).isEqualTo(body);

    HttpResponse<byte[]> head = client.send(HttpRequest.newBuilder(URI.create(base + "files/ranged.bin"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(body.length);
    assertThat(head.body()).isEmpty();

    HttpResponse<byte[]> range = send("files/ranged.bin", "Range", "bytes=1048570-1048589");
    assertThat(range.statusCode()).isEqualTo(206);
    assertThat(range.headers().firstValue("Content-Range")).hasValue("bytes 1048570-1048589/" + body.length);
    assertThat(range.body()).isEqualTo(Arrays.copyOfRange(body, 1048570, 1048590));
    upstream.verify(1, getRequestedFor(urlEqualTo("/up/files/ranged.bin")));
  }

  @Test
  void get_concurrent_oneUpstreamFetchAllBodiesIdentical() throws Exception {
    byte[] body = randomBytes(2 * 1024 * 1024, 3);
    upstream.stubFor(get("/up/files/slow.bin").willReturn(aResponse().withStatus(200)
        .withHeader("Content-Length", String.valueOf(body.length))
        .withBody(body)
        .withChunkedDribbleDelay(20, 1500)));

    List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      all.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "files/slow.bin")).build(),
          HttpResponse.BodyHandlers.ofByteArray()));
    }
    for (CompletableFuture<HttpResponse<byte[]>> f : all) {
      HttpResponse<byte[]> r = f.get(60, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(body);
    }
    upstream.verify(1, getRequestedFor(urlEqualTo("/up/files/slow.bin")));
  }

  @Test
  void get_truncatedUpstream_clientFailsAndNothingStored() throws Exception {
    byte[] body = randomBytes(1_000_000, 4);
    upstream.stubFor(get("/up/files/short.bin").willReturn(aResponse().withStatus(200)
        .withHeader("Content-Length", String.valueOf(body.length * 2))
        .withBody(body)));

    assertThatThrownBy(() -> send("files/short.bin")).isInstanceOf(IOException.class);
    int afterFirst = upstream.findAll(getRequestedFor(urlEqualTo("/up/files/short.bin"))).size();
    // Nothing was stored: the next request goes to the upstream again, and fails again.
    assertThatThrownBy(() -> send("files/short.bin")).isInstanceOf(IOException.class);
    assertThat(upstream.findAll(getRequestedFor(urlEqualTo("/up/files/short.bin")))).hasSizeGreaterThan(afterFirst);
  }

  @Test
  void get_upstreamStatuses_mapTo404And502() throws Exception {
    upstream.stubFor(get("/up/files/gone.bin").willReturn(aResponse().withStatus(404)));
    upstream.stubFor(get("/up/files/err.bin").willReturn(aResponse().withStatus(500)));
    assertThat(send("files/gone.bin").statusCode()).isEqualTo(404);
    HttpResponse<byte[]> err = send("files/err.bin");
    assertThat(err.statusCode()).isEqualTo(502);
    assertThat(new String(err.body(), StandardCharsets.UTF_8)).contains("test/files/err.bin").contains("500");
  }

  @Test
  void serve_badConfig_exits2NamingField() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "repositories:\n  x:\n    format: apt\n    upstream: ftp:/x\n");
    Path log = dir.resolve("bad.log");
    Process p = reprox(log, "serve", "--config", bad.toString(), "--data", dir.resolve("bad-data").toString(),
        "--listen", "127.0.0.1:0").start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(Files.readString(log)).contains("repositories.x.upstream");
  }

  /** A logback line: ISO-8601 date and time in UTC, then the level. */
  private static final java.util.regex.Pattern LOG_LINE =
      java.util.regex.Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z (TRACE|DEBUG|INFO |WARN |ERROR) .*");

  @Test
  void log_isoUtcTimestamps_startupLineNamesVersionDataConfigModeAndAdminApi() throws Exception {
    List<String> lines = Files.readAllLines(serverLog);
    // Lines of a logged stack trace start with a tab or a class name; every log line with a date.
    assertThat(lines).isNotEmpty().filteredOn(l -> !l.isEmpty() && Character.isDigit(l.charAt(0)))
        .allSatisfy(l -> assertThat(l).matches(LOG_LINE));
    assertThat(lines.get(0)).matches(LOG_LINE).contains("INFO  ServeCommand - reprox ")
        .contains(" starting: data " + dir.resolve("data").toAbsolutePath() + ", config "
            + dir.resolve("reprox.yaml").toAbsolutePath() + ", online, admin API disabled (no token), read API open,"
            + " repositories ")
        .containsPattern(", repositories .*\\btest$");
    assertThat(lines.get(0)).matches(".* reprox \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? starting: .*");
  }

  @Test
  void log_formatJson_everyLineOneJsonObject_accessLineWithFields() throws Exception {
    Path log = dir.resolve("json.log");
    ProcessBuilder pb = reprox(log, "serve", "--data", dir.resolve("json-data").toString(), "--listen", "127.0.0.1:0");
    pb.environment().put("REPROX_LOG_FORMAT", "json");
    Process p = pb.start();
    try {
      String address = readListeningLine(p, log);
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://" + address + "/nope/x%0Aforged"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(400); // a control character in a path segment
    } finally {
      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    List<com.fasterxml.jackson.databind.JsonNode> events = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      events.add(json.readTree(line)); // throws on a line that is not one JSON value
    }
    assertThat(events).isNotEmpty().allSatisfy(e -> {
      assertThat(e.isObject()).isTrue();
      assertThat(e.path("time").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
      assertThat(e.path("level").asText()).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
    });
    assertThat(events.get(0).path("message").asText()).contains(" starting: ").contains("repositories ");
    assertThat(events).filteredOn(e -> e.path("logger").asText().equals("reprox.access")).singleElement()
        .satisfies(e -> {
          assertThat(e.path("method").asText()).isEqualTo("GET");
          assertThat(e.path("path").asText()).isEqualTo("/nope/x%0Aforged");
          assertThat(e.path("status").isNumber()).isTrue();
          assertThat(e.path("status").asInt()).isEqualTo(400);
          assertThat(e.path("repo").asText()).isEqualTo("-");
        });
  }

  @Test
  void serve_portInUse_oneLineOnStderrExit1() throws Exception {
    Path log = dir.resolve("port-in-use.log");
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Process p = reprox(log, "serve", "--data", dir.resolve("port-data").toString(),
          "--listen", "127.0.0.1:" + port).start();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String stderr = Files.readString(log);
      assertThat(p.exitValue()).as(stderr).isEqualTo(1);
      // Everything but the log lines is the one error line: no stack trace, no second message.
      assertThat(stderr.lines().filter(l -> !LOG_LINE.matcher(l).matches()))
          .containsExactly("cannot listen on 127.0.0.1:" + port + ": address already in use");
      assertThat(stderr).contains("config built-in defaults").doesNotContain("Exception")
          .as("a server that never listened has no shutdown to narrate").doesNotContain("shutdown:");
    }
  }

  @Test
  void verify_whileServing_scrubsTheStore() throws Exception {
    byte[] body = randomBytes(300_000, 8);
    upstream.stubFor(get("/up/files/verified.bin").willReturn(aResponse().withStatus(200).withBody(body)));
    assertThat(send("files/verified.bin").body()).isEqualTo(body);

    ReproxProcess.Verify v = ReproxProcess.verify(dir.resolve("data"), dir.resolve("verify-live.log"));
    assertThat(v.exit()).as(v.output() + Files.readString(dir.resolve("verify-live.log"))).isZero();
    assertThat(v.output()).containsPattern("verify: [1-9]\\d* blobs, \\d+ bytes checked, 0 damaged");
  }

  @Test
  void restartOffline_servesStored_thenVerifyIsClean() throws Exception {
    byte[] body = randomBytes(1_200_000, 5);
    upstream.stubFor(get("/up/files/kept.bin").willReturn(aResponse().withStatus(200).withBody(body)));
    Path config = dir.resolve("reprox.yaml");
    Path data = dir.resolve("restart-data");

    Process first = reprox(dir.resolve("restart-1.log"), "serve", "--config", config.toString(),
        "--data", data.toString(), "--listen", "127.0.0.1:0").start();
    String firstBase = "http://" + readListeningLine(first, dir.resolve("restart-1.log")) + "/test/";
    assertThat(client.send(HttpRequest.newBuilder(URI.create(firstBase + "files/kept.bin")).build(),
        HttpResponse.BodyHandlers.ofByteArray()).body()).isEqualTo(body);
    first.destroy();
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

    Process second = reprox(dir.resolve("restart-2.log"), "serve", "--config", config.toString(),
        "--data", data.toString(), "--listen", "127.0.0.1:0", "--offline").start();
    try {
      String secondBase = "http://" + readListeningLine(second, dir.resolve("restart-2.log")) + "/test/";
      HttpResponse<byte[]> again = client.send(HttpRequest.newBuilder(URI.create(secondBase + "files/kept.bin")).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(again.statusCode()).isEqualTo(200);
      assertThat(again.body()).isEqualTo(body);
      HttpResponse<String> missing = client.send(HttpRequest.newBuilder(URI.create(secondBase + "files/never.bin")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(missing.statusCode()).isEqualTo(503);
      assertThat(missing.body()).as("repository, path and T (live) of an offline 503")
          .startsWith("fetch test/files/never.bin at live: offline: not stored").contains("--offline");
      HttpResponse<String> liveRoot = client.send(HttpRequest.newBuilder(
          URI.create(secondBase + "dists/stable/InRelease")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(liveRoot.statusCode()).isEqualTo(503);
      assertThat(liveRoot.body()).startsWith("fetch test/dists/stable/InRelease at live: offline: ")
          .contains("never fetched");
      HttpResponse<String> pinned = client.send(HttpRequest.newBuilder(
          URI.create(secondBase + "@20240301T000000Z/dists/stable/InRelease")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(pinned.statusCode()).isEqualTo(503);
      assertThat(pinned.body()).as("repository, path and T of an offline 503 at T")
          .startsWith("fetch test/dists/stable/InRelease at 2024-03-01T00:00:00Z: offline: ")
          .contains("repository test is offline");
    } finally {
      second.destroy();
      assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(Files.readString(dir.resolve("restart-1.log")) + Files.readString(dir.resolve("restart-2.log")))
        .doesNotContain("LEAK");
    assertThat(Files.readString(dir.resolve("restart-1.log"))).contains(", online");
    assertThat(Files.readString(dir.resolve("restart-2.log"))).contains(", offline (no upstream is contacted)");
    upstream.verify(1, getRequestedFor(urlEqualTo("/up/files/kept.bin")));
    upstream.verify(0, getRequestedFor(urlEqualTo("/up/files/never.bin")));

    Process verify = reprox(dir.resolve("verify.log"), "verify", "--data", data.toString()).start();
    String report = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(verify.exitValue()).as(report).isZero();
    assertThat(report).contains("verify: 1 blobs").contains("0 damaged");
  }

  @Test
  void sigterm_duringDownload_finishesInFlightResponse() throws Exception {
    byte[] body = randomBytes(600_000, 6);
    upstream.stubFor(get("/up/files/drain.bin").willReturn(aResponse().withStatus(200)
        .withHeader("Content-Length", String.valueOf(body.length))
        .withBody(body)
        .withChunkedDribbleDelay(10, 2000)));
    Path log = dir.resolve("drain.log");
    Process p = reprox(log, "serve", "--config", dir.resolve("reprox.yaml").toString(),
        "--data", dir.resolve("drain-data").toString(), "--listen", "127.0.0.1:0", "--drain-timeout", "20").start();
    String drainBase = "http://" + readListeningLine(p, log) + "/test/";
    HttpResponse<java.io.InputStream> response = client.send(
        HttpRequest.newBuilder(URI.create(drainBase + "files/drain.bin")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);

    p.destroy(); // SIGTERM while the body is still arriving
    byte[] received;
    try (java.io.InputStream in = response.body()) {
      received = in.readAllBytes();
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(received).isEqualTo(body);
    assertThat(Files.readString(log))
        .contains("shutdown: waiting up to 20 s for 1 in-flight responses")
        .contains("shutdown: in-flight responses finished")
        .contains("shutdown: storage closed")
        .doesNotContain("LEAK");
  }

  /** Sends one raw request line (no client-side normalisation) and returns the status line. */
  private static String rawStatus(String method, String target) throws IOException {
    URI b = URI.create(base);
    try (java.net.Socket socket = new java.net.Socket(b.getHost(), b.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write((method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
    }
  }

  @Test
  void rawTargets_refusedThroughTheRealCodec() throws Exception {
    for (String bad : List.of("/test/../etc/passwd", "/test/%2e%2e/x", "/test/a%2fb", "/test/a%5cb",
        "/test/a%00b", "//test/x", "/test/%c0%ae%c0%ae/x")) {
      assertThat(rawStatus("GET", bad)).as(bad).startsWith("HTTP/1.1 400");
    }
    // deb.debian.org is a built-in repository's upstream: forward mode would serve it; this host is nobody's.
    assertThat(rawStatus("GET", "http://unconfigured.example/debian/dists/bookworm/InRelease")).startsWith("HTTP/1.1 403");
    assertThat(rawStatus("CONNECT", "deb.debian.org:443")).startsWith("HTTP/1.1 403");
    assertThat(rawStatus("DELETE", "/test/x")).startsWith("HTTP/1.1 405");
    assertThat(rawStatus("GET", "/nope/x")).startsWith("HTTP/1.1 404");
    assertThat(rawStatus("GET", "/healthz")).startsWith("HTTP/1.1 200");
    assertThat(rawStatus("GET", "/readyz")).startsWith("HTTP/1.1 200");
  }

  @Test
  void get_upstreamWithoutLength_streamsChunkedThenServesStoredLength() throws Exception {
    byte[] body = randomBytes(700_000, 7);
    upstream.stubFor(get("/up/files/chunked.bin").willReturn(aResponse().withStatus(200)
        .withBody(body)
        .withChunkedDribbleDelay(5, 300)));

    HttpResponse<byte[]> first = send("files/chunked.bin");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).isEqualTo(body);
    assertThat(first.headers().firstValue("Content-Length")).as("length unknown while streaming").isEmpty();
    HttpResponse<byte[]> second = send("files/chunked.bin");
    assertThat(second.headers().firstValueAsLong("Content-Length")).hasValue(body.length);
    assertThat(second.body()).isEqualTo(body);
    upstream.verify(1, getRequestedFor(urlEqualTo("/up/files/chunked.bin")));
  }
}
