package dev.reprox.server.reliability;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.ReproxServer;
import dev.reprox.storage.Storage;
import dev.reprox.storage.rocks.RocksStorage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A WireMock upstream misbehaving in every way we know, for a package path and an index path,
 * in front of an in-process reprox (RocksDB store, short fill idle timeout) so the leak guard
 * watches the same JVM. For each fault: the client never receives a complete wrong body, nothing
 * is stored (the next request, to a healthy upstream, goes upstream again and gets the right
 * bytes), and {@code /metrics} counts a failed request.
 */
class UpstreamFaultsReliabilityIT {
  private static final Duration FILL_IDLE = Duration.ofSeconds(2);

  @TempDir
  static Path dir;

  static WireMockServer upstream;
  static ReproxServer server;
  static String base;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = new WireMockServer(wireMockConfig().dynamicPort());
    upstream.start();
    Path config = dir.resolve("reprox.yaml");
    Files.writeString(config, "repositories:\n"
        + "  test:\n    format: apt\n    upstream: http://127.0.0.1:" + upstream.port() + "/up\n    keyring: none\n"
        + "  dead:\n    format: apt\n    upstream: http://nonexistent.invalid/up\n    keyring: none\n");
    ReproxConfig cfg = ConfigLoader.load(Optional.of(config), Map.of(), new ConfigLoader.Overrides(
        Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(dir.resolve("data")), Optional.empty()));
    Storage storage = RocksStorage.builder().path(dir.resolve("data").resolve("store")).clock(Clock.systemUTC()).build();
    server = ReproxServer.builder().config(cfg).storage(storage)
        .fillIdleTimeout(FILL_IDLE)
        .upstreamHeaderTimeout(Duration.ofSeconds(5))
        .drainTimeout(Duration.ofSeconds(1))
        .start();
    base = "http://127.0.0.1:" + server.address().getPort();
  }

  @AfterAll
  static void stop() {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      upstream.stop();
    }
  }

  private static final List<String> PATHS = List.of("pool/main/r/%s/%s_1.0_amd64.deb", "dists/%s/%s/InRelease");

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /**
   * Stubs {@code fault} on each path, asks reprox once, then heals the upstream and asks again:
   * the fault must not be completed to the client, must be counted, and must leave nothing stored.
   */
  private static void faultThenRecover(String name, ResponseDefinitionBuilder fault) throws Exception {
    for (String pattern : PATHS) {
      String path = String.format(pattern, name, name);
      String upstreamPath = "/up/" + path;
      byte[] good = bytes(200_000 + name.length(), name.hashCode());
      upstream.stubFor(get(upstreamPath).willReturn(fault));
      double failuresBefore = failures();

      assertNoCompleteBody(path);
      await(() -> failures() > failuresBefore, "a failed request counted in /metrics for " + path);
      int asked = upstream.findAll(getRequestedFor(urlEqualTo(upstreamPath))).size();
      assertThat(asked).as("upstream asked for %s", path).isBetween(1, 2);

      upstream.stubFor(get(upstreamPath).willReturn(aResponse().withStatus(200).withBody(good)));
      HttpResponse<byte[]> healed = client.send(request(path), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(healed.statusCode()).as(path).isEqualTo(200);
      assertThat(healed.body()).as("nothing of the fault was stored for %s", path).isEqualTo(good);
      assertThat(upstream.findAll(getRequestedFor(urlEqualTo(upstreamPath)))).hasSize(asked + 1);
    }
  }

  private static HttpRequest request(String path) {
    return HttpRequest.newBuilder(URI.create(base + "/test/" + path)).timeout(Duration.ofSeconds(30)).build();
  }

  /** Either the transfer fails, or the client gets an error status with a body: never a 200 that completes. */
  private static void assertNoCompleteBody(String path) throws Exception {
    try {
      HttpResponse<byte[]> r = client.send(request(path), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).as("status for faulty %s", path).isNotEqualTo(200).isBetween(500, 599);
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).as("error body").contains(path);
    } catch (IOException expected) {
      // the response was cut: the client knows it is incomplete
    }
  }

  /** Sum of request counts for the test repository whose outcome is neither hit nor miss. */
  static double failures() throws Exception {
    return count("test", null);
  }

  /** Requests of {@code repository} with {@code outcome} (null: every outcome but hit and miss). */
  static double count(String repository, String outcome) throws Exception {
    String metrics = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    double sum = 0;
    for (String line : metrics.split("\n")) {
      if (!line.startsWith("reprox_requests_seconds_count{") || !line.contains("repository=\"" + repository + "\"")) {
        continue;
      }
      boolean wanted = outcome == null
          ? !line.contains("outcome=\"hit\"") && !line.contains("outcome=\"miss\"")
          : line.contains("outcome=\"" + outcome + "\"");
      if (wanted) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  interface Check {
    boolean ok() throws Exception;
  }

  /** Polls a condition the server settles asynchronously (metrics are recorded when the exchange ends). */
  static void await(Check check, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!check.ok()) {
      assertThat(System.nanoTime()).as("waited 10 s for %s", what).isLessThan(deadline);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  @Test
  void connectionResetByPeer_nothingStored() throws Exception {
    faultThenRecover("reset", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
  }

  @Test
  void randomDataThenClose_nothingStored() throws Exception {
    faultThenRecover("garbage", aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE));
  }

  @Test
  void malformedChunkMidBody_nothingStored() throws Exception {
    faultThenRecover("badchunk", aResponse().withStatus(200).withFault(Fault.MALFORMED_RESPONSE_CHUNK));
  }

  @Test
  void bodyShorterThanContentLength_clientCutAndNothingStored() throws Exception {
    byte[] half = bytes(150_000, 3);
    faultThenRecover("short", aResponse().withStatus(200).withHeader("Content-Length", "300000").withBody(half));
  }

  @Test
  void slowDripStallingLongerThanIdleTimeout_fillGivesUp() throws Exception {
    byte[] body = bytes(120_000, 4);
    long start = System.nanoTime();
    // Four pieces over 12 s: 3 s gaps, longer than the 2 s fill idle timeout.
    faultThenRecover("drip", aResponse().withStatus(200).withHeader("Content-Length", String.valueOf(body.length))
        .withBody(body).withChunkedDribbleDelay(4, 12_000));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    // Two paths; each gives up after about one idle timeout, well before its 12 s drip would end.
    assertThat(took).as("the fill gave up instead of waiting for the drip").isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void tooManyRequestsWithRetryAfter_errorPassedOnNotRetriedNotStored() throws Exception {
    faultThenRecover("busy", aResponse().withStatus(429).withHeader("Retry-After", "120").withBody("slow down"));
  }

  @Test
  void serviceUnavailableWithRetryAfter_errorPassedOnNotStored() throws Exception {
    faultThenRecover("down", aResponse().withStatus(503).withHeader("Retry-After", "5").withBody("maintenance"));
  }

  @Test
  void dnsFailure_502NamingTheUpstream_counted() throws Exception {
    for (String pattern : PATHS) {
      String path = String.format(pattern, "dns", "dns");
      for (int attempt = 0; attempt < 2; attempt++) {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/dead/" + path)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).contains("nonexistent.invalid").contains(path);
      }
    }
    assertThat(count("dead", "upstream_unreachable")).isEqualTo(4.0);
  }
}
