package dev.reprox.server.reliability;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.reprox.server.testing.ReproxProcess;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.reprox.testkit.pgp.SigningKey;

/**
 * Hostile and malformed requests on raw sockets against a child reprox: each is answered with a
 * 4xx and a body (or a close where HTTP says so), nothing reaches the upstream that should not,
 * and after every case the server still answers {@code /healthz} and serves a stored package.
 */
class BadInputReliabilityIT {
  @TempDir
  static Path dir;

  static WireMockServer upstream;
  static ReproxProcess reprox;
  static final byte[] STORED = new byte[300_000];

  @BeforeAll
  static void start() throws Exception {
    new Random(61).nextBytes(STORED);
    upstream = new WireMockServer(wireMockConfig().dynamicPort());
    upstream.start();
    upstream.stubFor(get("/up/indices/stored.bin").willReturn(aResponse().withStatus(200).withBody(STORED)));
    upstream.stubFor(get(urlMatching("/up/indices/smuggled.*")).willReturn(aResponse().withStatus(200).withBody("x")));
    Path config = dir.resolve("reprox.yaml");
    // Any keyring: without one, paths outside the index chain are relayed, not stored.
    Files.writeString(config, "repositories:\n  test:\n    format: apt\n    upstream: http://127.0.0.1:"
        + upstream.port() + "/up\n    keyring: " + SigningKey.ed25519("bad-input-it").writeKeyring(dir.resolve("it.gpg"))
        + "\n    root-ttl: 1h\n");
    reprox = ReproxProcess.serve(config, dir.resolve("data"), dir.resolve("server.log"));
    RawHttp.Response first = one("GET /test/indices/stored.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(first.body()).isEqualTo(STORED);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (reprox != null) {
        reprox.close();
      }
    } finally {
      upstream.stop();
    }
  }

  /** After every case: the server still serves, from the store, without asking the upstream again. */
  @AfterEach
  void stillServing() throws Exception {
    assertThat(one("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status()).isEqualTo(200);
    RawHttp.Response stored = one("GET /test/indices/stored.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(stored.status()).isEqualTo(200);
    assertThat(stored.body()).isEqualTo(STORED);
    upstream.verify(1, getRequestedFor(urlEqualTo("/up/indices/stored.bin")));
    reprox.assertNoLeaks();
  }

  private static RawHttp.Exchange exchange(String request) throws Exception {
    return RawHttp.send(reprox.host(), reprox.port(), request, 5_000);
  }

  private static RawHttp.Response one(String request) throws Exception {
    RawHttp.Exchange ex = exchange(request);
    assertThat(ex.responses()).as("responses to %s", request.lines().findFirst().orElse("")).hasSize(1);
    return ex.responses().get(0);
  }

  private static void assertRefusedWithBody(RawHttp.Response r, int... statuses) {
    assertThat(r.status()).isBetween(400, 499);
    assertThat(statuses).contains(r.status());
    assertThat(r.text()).as("error body").isNotBlank();
  }

  @Test
  void traversalVariants_400WithBody_upstreamNeverAsked() throws Exception {
    List<String> targets = List.of("/test/../etc/passwd", "/test/pool/../../etc/passwd", "/test/pool/./stored.deb",
        "/test/%2e%2e/etc/passwd", "/test/%2E%2e%2fetc/passwd", "/test/pool%2fstored.deb", "/test/a%5c..%5cb",
        "/test/a\\b", "/test/..\\..\\etc\\passwd", "/test/pool/a%00.deb", "/test/%c0%ae%c0%ae/etc/passwd",
        "/test/%e0%80%ae/x", "//test/indices/stored.bin", "//etc/passwd", "/test//indices/stored.bin", "/test/pool/%zz");
    for (String target : targets) {
      RawHttp.Response r = one("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertThat(r.status()).as(target).isEqualTo(400);
      assertThat(r.text()).as(target).contains("bad path");
    }
    assertThat(upstream.findAll(getRequestedFor(urlMatching(".*(passwd|%2[eEfF]|%5[cC]|%00|\\.\\.).*")))).isEmpty();
  }

  @Test
  void absoluteFormToUnconfiguredHost_403WithBody() throws Exception {
    // deb.debian.org is a built-in repository's upstream (forward mode serves it); this host is nobody's.
    RawHttp.Response r = one("GET http://unconfigured.example/debian/dists/bookworm/InRelease HTTP/1.1\r\n"
        + "Host: unconfigured.example\r\nConnection: close\r\n\r\n");
    assertRefusedWithBody(r, 403);
  }

  @Test
  void connect_405WithBodySayingUseHttp() throws Exception {
    RawHttp.Exchange ex = exchange("CONNECT deb.debian.org:443 HTTP/1.1\r\nHost: deb.debian.org:443\r\n\r\n");
    assertThat(ex.responses()).hasSize(1);
    assertRefusedWithBody(ex.responses().get(0), 405, 403);
    assertThat(ex.responses().get(0).text()).contains("http://");
    assertThat(ex.closedByServer()).as("no tunnel: the connection ends after the refusal").isTrue();
  }

  @Test
  void header64k_refusedAndClosed() throws Exception {
    String big = "a".repeat(64 * 1024);
    RawHttp.Exchange ex = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n");
    assertThat(ex.responses()).hasSize(1);
    assertRefusedWithBody(ex.responses().get(0), 400, 431);
    assertThat(ex.closedByServer()).isTrue();
  }

  @Test
  void manyHeadersTotalling64k_refusedAndClosed() throws Exception {
    StringBuilder sb = new StringBuilder("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 1024; i++) {
      sb.append("X-H").append(i).append(": ").append("b".repeat(58)).append("\r\n");
    }
    RawHttp.Exchange ex = exchange(sb.append("\r\n").toString());
    assertThat(ex.responses()).hasSize(1);
    assertRefusedWithBody(ex.responses().get(0), 400, 431);
  }

  @Test
  void uri64k_refusedAndClosed() throws Exception {
    RawHttp.Exchange ex = exchange("GET /test/pool/" + "c".repeat(64 * 1024) + ".deb HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(ex.responses()).hasSize(1);
    assertRefusedWithBody(ex.responses().get(0), 400, 414);
    assertThat(ex.closedByServer()).isTrue();
    assertThat(upstream.findAll(getRequestedFor(urlMatching("/up/pool/ccc.*")))).isEmpty();
  }

  @Test
  void snapshotT_malformedAndOutOfRange_400NamingTheTime_upstreamNeverAsked() throws Exception {
    // Malformed, invalid dates, and times outside TimeSpec's 1990..2200 range (typos in ms, 2-digit years).
    for (String t : List.of("@yesterday", "@", "@2024-13-45T99:00:00Z", "@20241345", "@20240101T250000Z",
        "@99999999999999999999999", "@-1", "@1700000000000", "@19800101", "@22010101", "@%40")) {
      RawHttp.Response r = one("GET /test/" + t + "/dists/bookworm/InRelease HTTP/1.1\r\nHost: x\r\n"
          + "Connection: close\r\n\r\n");
      assertThat(r.status()).as(t).isEqualTo(400);
      assertThat(r.text()).as(t).containsAnyOf("bad time", "bad path");
    }
    assertThat(upstream.findAll(getRequestedFor(urlMatching(".*@.*")))).isEmpty();
  }

  @Test
  void contentLengthPlusChunked_smuggledRequestNeverExecuted() throws Exception {
    String smuggled = "GET /test/indices/smuggled.bin HTTP/1.1\r\nHost: x\r\n\r\n";
    String body = "0\r\n\r\n" + smuggled;
    RawHttp.Exchange ex = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length()
        + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
    assertThat(ex.responses()).as("at most the first request is answered").hasSizeLessThanOrEqualTo(1);
    if (!ex.responses().isEmpty()) {
      assertThat(ex.responses().get(0).status()).isIn(200, 400);
    }
    assertThat(ex.closedByServer()).as("RFC 9112 6.3: close after a request with both framings").isTrue();
    upstream.verify(0, getRequestedFor(urlMatching("/up/indices/smuggled.*")));
  }

  @Test
  void chunkedPlusShortContentLength_smuggledRequestNeverExecuted() throws Exception {
    String smuggled = "GET /test/indices/smuggled2.bin HTTP/1.1\r\nHost: x\r\n\r\n";
    String chunk = Integer.toHexString(smuggled.length()) + "\r\n" + smuggled + "\r\n0\r\n\r\n";
    RawHttp.Exchange ex = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        + "Content-Length: 4\r\n\r\n" + chunk);
    assertThat(ex.responses()).hasSizeLessThanOrEqualTo(1);
    assertThat(ex.closedByServer()).isTrue();
    upstream.verify(0, getRequestedFor(urlMatching("/up/indices/smuggled.*")));
  }

  @Test
  void pipelinedGarbageAfterValidRequest_firstAnsweredThenRefusedOrClosed() throws Exception {
    RawHttp.Exchange ex = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        + "\u0001\u0002 \u00ff\u00fe garbage \u0000 not http\r\n\r\n");
    assertThat(ex.responses()).isNotEmpty();
    assertThat(ex.responses().get(0).status()).isEqualTo(200);
    assertThat(ex.responses().get(0).text()).isEqualTo("ok\n");
    for (RawHttp.Response r : ex.responses().subList(1, ex.responses().size())) {
      assertRefusedWithBody(r, 400);
    }
    assertThat(ex.closedByServer()).isTrue();
  }

  @Test
  void bodyOnGet_ignoredAndNextPipelinedRequestServed() throws Exception {
    String payload = "GET /test/indices/smuggled3.bin HTTP/1.1\r\nHost: x\r\n\r\n";
    RawHttp.Exchange ex = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: " + payload.length()
        + "\r\n\r\n" + payload + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    // Either the body is skipped (two answers to the two real requests) or refused with a close.
    if (ex.responses().size() == 2) {
      assertThat(ex.responses()).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    } else {
      assertThat(ex.responses()).hasSize(1);
      assertRefusedWithBody(ex.responses().get(0), 400, 413);
    }
    upstream.verify(0, getRequestedFor(urlMatching("/up/indices/smuggled.*")));
  }

  @Test
  void slowloris_partialRequestLine_closedWithinHeadTimeout_othersStillServed() throws Exception {
    try (Socket socket = new Socket(reprox.host(), reprox.port())) {
      socket.setSoTimeout(40_000);
      socket.getOutputStream().write("GET /test/pool/sto".getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      long start = System.nanoTime();
      // While the slow client holds its connection, others are served.
      assertThat(one("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status()).isEqualTo(200);
      InputStream in = socket.getInputStream();
      byte[] rest = in.readAllBytes(); // returns when the server closes; SocketTimeoutException fails the test
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took).as("closed by the 30 s request-head timeout").isLessThan(Duration.ofSeconds(35));
      assertThat(took).isGreaterThan(Duration.ofSeconds(20));
      assertThat(new String(rest, StandardCharsets.ISO_8859_1)).doesNotContain("200 OK");
    }
  }
}
