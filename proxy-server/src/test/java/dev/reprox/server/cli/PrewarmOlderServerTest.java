package dev.reprox.server.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reprox prewarm --server} against a reprox from before the batch form: such a server
 * refuses the batch request as any admin request with a body (400 "admin actions take no request
 * body", after the token check: AdminRoute before the batch route), so the client falls back to
 * the per-entry route for the whole run, says so once, and ends with the summary and exit code
 * the batch form gives. A server error on the batch route is an error, not an older server.
 */
class PrewarmOlderServerTest {
  private static final String BATCH = "/-/api/admin/prewarm";
  private static final String ENTRY = "/-/api/admin/prewarm/fix";
  private static final String TOKEN = "tok-en";
  private static final long AT = 1_709_272_800L;

  @TempDir
  Path dir;

  private WireMockServer server;

  @BeforeEach
  void start() {
    server = new WireMockServer(wireMockConfig().dynamicPort());
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private record Run(int exit, String out, String err) {
    /** The summary table: the same whichever route answered (progress lines come in completion order). */
    String table() {
      return out.substring(out.indexOf("RESULT"), out.indexOf("total"));
    }
  }

  private Run prewarm(String token) throws Exception {
    Path lock = Files.writeString(dir.resolve("reprox.lock.json"), """
        {"lockfileVersion": 1, "repositories": [{"name": "fix", "format": "apt", "at": "2024-03-01T06:00:00Z",
          "roots": [{"path": "dists/stable/InRelease", "generation": "sha256:%s"}],
          "packages": [{"path": "pool/main/a/a_1_all.deb", "sha256": "%s", "size": 10},
                       {"path": "pool/main/b/b_1_all.deb", "sha256": "%s", "size": 20},
                       {"path": "pool/main/c/c_1_all.deb", "sha256": "%s", "size": 30}]}]}
        """.formatted("0".repeat(64), "a".repeat(64), "b".repeat(64), "c".repeat(64)));
    Path tokenFile = Files.writeString(dir.resolve("token"), token + "\n");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "prewarm", "--server",
        server.baseUrl(), "--token-file", tokenFile.toString(), "--jobs", "2", lock.toString());
    return new Run(exit, out.toString(), err.toString());
  }

  /** What a reprox from before the batch route answers: the token first, then no body, then the single form. */
  private void olderServer() {
    server.stubFor(post(urlPathMatching(BATCH + "(/.*)?")).atPriority(10).willReturn(aResponse().withStatus(401)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"error\":{\"status\":401,\"reason\":\"unauthorized\",\"message\":\"admin token required\"}}")));
    server.stubFor(post(urlPathMatching(BATCH + "(/.*)?")).atPriority(5)
        .withHeader("Authorization", equalTo("Bearer " + TOKEN)).willReturn(aResponse().withStatus(400)
            .withHeader("Content-Type", "application/json").withHeader("Connection", "close")
            .withBody("{\"error\":{\"status\":400,\"reason\":\"bad_request\",\"message\":\""
                + PrewarmBatchClient.OLD_SERVER_REFUSAL + "\"}}\n")));
    entry("pool/main/a/a_1_all.deb", "a", "{\"outcome\":\"stored\",\"generation\":\"sha256:" + "0".repeat(64) + "\"}");
    entry("pool/main/b/b_1_all.deb", "b", "{\"outcome\":\"present\"}");
    entry("pool/main/c/c_1_all.deb", "c", "{\"outcome\":\"not_found\",\"message\":\"no listing names it\"}");
  }

  /** The single form for one path, only with the token and the entry's fields; nobody sends it a body. */
  private void entry(String path, String hashLetter, String answer) {
    server.stubFor(post(urlPathEqualTo(ENTRY)).atPriority(1).withHeader("Authorization", equalTo("Bearer " + TOKEN))
        .withQueryParam("path", equalTo(path)).withQueryParam("root", equalTo("dists/stable/InRelease"))
        .withQueryParam("at", equalTo(Long.toString(AT)))
        .withQueryParam("generation", equalTo("sha256:" + "0".repeat(64)))
        .withQueryParam("sha256", equalTo(hashLetter.repeat(64)))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(answer + "\n")));
  }

  @Test
  void olderServer_fallsBackToThePerEntryRoute_saysSoOnce_sameSummaryAndExitAsTheBatchForm() throws Exception {
    olderServer();

    Run older = prewarm(TOKEN);

    assertThat(server.findAll(postRequestedFor(urlPathEqualTo(ENTRY)))).hasSize(3)
        .allSatisfy(r -> assertThat(r.getBodyAsString()).isEmpty());
    assertThat(older.err().lines().filter(l -> l.contains("no batch route"))).as(older.err()).singleElement()
        .satisfies(l -> assertThat(l).contains("400").contains("one request per entry"));
    assertThat(older.exit()).as(older.out() + older.err()).isEqualTo(1);
    assertThat(older.out()).containsPattern("stored +1\\n").containsPattern("already present +1\\n")
        .containsPattern("not found at T +1\\n").containsPattern("upstream failure +0\\n");
    assertThat(older.err()).contains("fix/pool/main/c/c_1_all.deb: not found at T: no listing names it");

    // The same lockfile through a server with the batch form, answering alike.
    server.resetAll();
    server.stubFor(post(urlPathEqualTo(BATCH)).withHeader("Authorization", equalTo("Bearer " + TOKEN))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-ndjson")
            .withBody("{\"line\":3,\"outcome\":\"not_found\",\"message\":\"no listing names it\"}\n"
                + "{\"line\":1,\"outcome\":\"stored\"}\n{\"line\":2,\"outcome\":\"present\"}\n")));
    Run current = prewarm(TOKEN);

    assertThat(current.exit()).isEqualTo(older.exit());
    assertThat(current.table()).isEqualTo(older.table());
    assertThat(older.err().lines().filter(l -> !l.contains("no batch route")))
        .containsExactlyElementsOf(current.err().lines().toList());
  }

  @Test
  void olderServer_wrongToken_refusedBeforeTheBodyRule_noFallback() throws Exception {
    olderServer();

    Run r = prewarm("wrong");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).doesNotContain("no batch route").contains("reprox answered 401");
    assertThat(r.out()).containsPattern("upstream failure +3\\n");
    assertThat(server.findAll(postRequestedFor(urlPathEqualTo(ENTRY)))).isEmpty();
  }

  @Test
  void batchRouteFailsWith500_anErrorNotAnOlderServer_noPerEntryRequest() throws Exception {
    olderServer();
    server.stubFor(post(urlPathEqualTo(BATCH)).atPriority(1).willReturn(aResponse().withStatus(500)
        .withBody("internal error")));

    Run r = prewarm(TOKEN);

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).doesNotContain("no batch route").contains("reprox answered 500: internal error");
    assertThat(r.out()).containsPattern("upstream failure +3\\n").containsPattern("stored +0\\n");
    assertThat(server.findAll(postRequestedFor(urlPathEqualTo(ENTRY)))).isEmpty();
  }

  @Test
  void olderServer_onlyItsAnswers() {
    assertThat(PrewarmBatchClient.olderServer(400, "{\"error\":{\"message\":\"admin actions take no request body\"}}"))
        .isTrue();
    assertThat(PrewarmBatchClient.olderServer(405, "")).isTrue();
    assertThat(PrewarmBatchClient.olderServer(404, "<html>Not Found</html>")).isTrue();
    // The batch route's own refusals: a server without a store, a bad jobs.
    assertThat(PrewarmBatchClient.olderServer(404, "{\"error\":{\"message\":\"admin prewarm: this server has no store\"}}"))
        .isFalse();
    assertThat(PrewarmBatchClient.olderServer(400, "{\"error\":{\"message\":\"admin prewarm: jobs must be a positive"
        + " number\"}}")).isFalse();
    assertThat(PrewarmBatchClient.olderServer(500, "")).isFalse();
    assertThat(PrewarmBatchClient.olderServer(401, "")).isFalse();
  }
}
