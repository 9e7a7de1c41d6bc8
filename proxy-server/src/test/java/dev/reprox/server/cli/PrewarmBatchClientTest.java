package dev.reprox.server.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.reprox.server.lock.LockEntry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PrewarmBatchClient} on {@code java.net.http}: the entries go in batches (here of two),
 * each answer finds its entry by its line within its batch, and every entry is answered whatever
 * goes wrong (a refusal, an answer that stops half-way).
 */
class PrewarmBatchClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ROUTE = "/-/api/admin/prewarm";

  private WireMockServer server;
  private final Map<String, String> answers = new ConcurrentHashMap<>();

  @BeforeEach
  void start() {
    server = new WireMockServer(wireMockConfig().dynamicPort());
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private static LockEntry entry(int i) {
    return new LockEntry("fix", "dists/stable/InRelease", Instant.ofEpochSecond(1_709_272_800L),
        "pool/main/p/pkg" + i + ".deb", null, "ab".repeat(32), null, 100 + i, "lock:" + i);
  }

  private void run(URI base, String token, int entries, int batchSize) throws Exception {
    PrewarmBatchClient.Run run = new PrewarmBatchClient(base, token, Map.of(), 3, batchSize).open(
        (e, row, message) -> assertThat(answers.put(e.path(), row.name().toLowerCase(Locale.ROOT) + ": " + message))
            .as("one answer for " + e.path()).isNull());
    for (int i = 0; i < entries; i++) {
      run.send(entry(i));
    }
    run.finish();
  }

  @Test
  void fiveEntriesInBatchesOfTwo_threeRequests_eachAnswerMatchedByItsLineInTheBatch() throws Exception {
    // Answers out of order, line 2 first; the last batch has no line 2, its stray answer is ignored.
    server.stubFor(post(urlPathEqualTo(ROUTE)).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/x-ndjson")
        .withBody("{\"line\":2,\"outcome\":\"present\",\"message\":\"two\"}\n"
            + "{\"line\":1,\"outcome\":\"stored\",\"message\":\"one\"}\n")));

    run(URI.create(server.baseUrl()), "tok", 5, 2);

    List<LoggedRequest> requests = server.findAll(postRequestedFor(urlPathEqualTo(ROUTE)));
    assertThat(requests).hasSize(3).allSatisfy(r -> {
      assertThat(r.getHeader("Authorization")).isEqualTo("Bearer tok");
      assertThat(r.getHeader("Expect")).as("a refusal before the body").isEqualToIgnoringCase("100-continue");
      assertThat(r.queryParameter("jobs").firstValue()).isEqualTo("3");
    });
    List<String> paths = new CopyOnWriteArrayList<>();
    for (LoggedRequest r : requests) {
      String[] lines = r.getBodyAsString().split("\n");
      assertThat(lines.length).isBetween(1, 2);
      for (String l : lines) {
        JsonNode o = JSON.readTree(l);
        assertThat(o.path("repo").asText()).isEqualTo("fix");
        assertThat(o.path("at").asLong()).isEqualTo(1_709_272_800L);
        paths.add(o.path("path").asText());
      }
    }
    assertThat(paths).containsExactlyInAnyOrder("pool/main/p/pkg0.deb", "pool/main/p/pkg1.deb",
        "pool/main/p/pkg2.deb", "pool/main/p/pkg3.deb", "pool/main/p/pkg4.deb");
    assertThat(answers).containsOnly(Map.entry("pool/main/p/pkg0.deb", "stored: one"),
        Map.entry("pool/main/p/pkg1.deb", "present: two"), Map.entry("pool/main/p/pkg2.deb", "stored: one"),
        Map.entry("pool/main/p/pkg3.deb", "present: two"), Map.entry("pool/main/p/pkg4.deb", "stored: one"));
  }

  @Test
  void refused_everyEntryAnsweredWithTheRefusal_atMostTheBatchesInFlightSent() throws Exception {
    server.stubFor(post(urlPathEqualTo(ROUTE)).willReturn(aResponse().withStatus(401).withBody("no token")));

    run(URI.create(server.baseUrl()), null, 9, 2);

    assertThat(answers).hasSize(9).allSatisfy((path, answer) -> assertThat(answer)
        .isEqualTo("upstream_failure: reprox answered 401: no token"));
    assertThat(server.findAll(postRequestedFor(urlPathEqualTo(ROUTE)))).as("the refusal sticks")
        .hasSizeLessThanOrEqualTo(PrewarmBatchClient.IN_FLIGHT);
  }

  @Test
  void connectionLostMidAnswer_entriesNotAnsweredGetTheReason() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread fake = new Thread(() -> {
        try (Socket c = listener.accept()) {
          BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
          int length = 0;
          for (String h; !(h = in.readLine()).isEmpty(); ) {
            if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
              length = Integer.parseInt(h.substring(15).trim());
            }
          }
          OutputStream out = c.getOutputStream();
          out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          in.skip(length);
          String line = "{\"line\":2,\"outcome\":\"stored\",\"message\":\"ok\"}\n";
          out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
              + Integer.toHexString(line.length()) + "\r\n" + line + "\r\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
        } catch (Exception e) {
          // the client sees what it sees; the assertions say whether that was right
        } // closed without the last chunk: the connection is lost mid-answer
      });
      fake.start();

      run(URI.create("http://127.0.0.1:" + listener.getLocalPort()), "tok", 3, 3);
      fake.join(10_000);

      assertThat(answers.get("pool/main/p/pkg1.deb")).isEqualTo("stored: ok");
      assertThat(answers.get("pool/main/p/pkg0.deb")).startsWith("upstream_failure: lost the connection to reprox");
      assertThat(answers.get("pool/main/p/pkg2.deb")).startsWith("upstream_failure: lost the connection to reprox");
    }
  }
}
