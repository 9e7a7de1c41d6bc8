package dev.reprox.server.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprox.pinning.TimeSpec;
import dev.reprox.storage.MutableClock;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import dev.reprox.server.testing.InProcessReprox;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The read API ({@code /-/api/...}) on a real server: it only reads (no upstream request, no pin),
 * its path parameters pass the request-path rules, and every error is one JSON shape.
 */
class ReadApiTest {
  static final String ROOT = "dists/stable/InRelease";
  static final Instant PUBLISHED = Instant.parse("2024-03-01T00:00:00Z");
  static final Instant NOW = Instant.parse("2024-03-10T00:00:00Z");
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private StaticServer upstream;
  private InProcessReprox reprox;
  private AptGeneration g1;

  @BeforeEach
  void start() throws Exception {
    // The repository lives one level below what the static server serves, beside a file an
    // escaping root could reach.
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("www/repo")).date(PUBLISHED).add("foo", "1.0");
    g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    Files.createDirectories(tmp.resolve("www/escape"));
    Files.copy(repo.root().resolve(ROOT), tmp.resolve("www/escape/InRelease"));
    upstream = StaticServer.serve(tmp.resolve("www"));
    String u = upstream.baseUri().toString().replaceAll("/$", "") + "/repo";
    reprox = new InProcessReprox(tmp.resolve("reprox"), "  fix:\n    format: apt\n    upstream: " + u
        + "\n    keyring: " + keyring + "\n    root-ttl: 60s\n", new MutableClock(NOW), false);
  }

  @AfterEach
  void stop() {
    reprox.close();
    upstream.close();
  }

  private static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static JsonNode json(HttpResponse<byte[]> r) throws Exception {
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    return JSON.readTree(r.body());
  }

  private static void assertError(HttpResponse<byte[]> r, int status, String reason) throws Exception {
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(status);
    JsonNode error = json(r).get("error");
    assertThat(error.get("status").asInt()).isEqualTo(status);
    assertThat(error.get("reason").asText()).isEqualTo(reason);
    assertThat(error.get("message").asText()).isNotBlank();
  }

  @ParameterizedTest
  @ValueSource(strings = {"../escape/InRelease", "../../../escape/x", "dists/../../escape/InRelease",
      "dists//stable/InRelease", "dists/stable/InRelease/", "/dists/stable/InRelease", "dists\\stable/InRelease",
      "dists/stable/In\u0000Release", "pool/main/f/foo/foo_1.0_all.deb", "dists/stable/main/binary-amd64/Packages",
      ""})
  void resolveAndGenerations_rootNotASafeRootIndex_answer400Json_andAskNoUpstream(String root) throws Exception {
    HttpResponse<byte[]> resolve = reprox.get("-/api/repos/fix/resolve?root=" + q(root) + "&at=" + TimeSpec.format(NOW));
    HttpResponse<byte[]> generations = reprox.get("-/api/repos/fix/generations?root=" + q(root));

    assertError(resolve, 400, "bad_request");
    assertError(generations, 400, "bad_request");
    assertThat(upstream.requests()).isEmpty();
    assertThat(reprox.storage.observations().roots("fix")).isEmpty();
  }

  @Test
  void resolve_isARead_noUpstreamRequestNoPin_thenShowsThePinARequestWrote() throws Exception {
    assertThat(reprox.get("fix/" + ROOT).statusCode()).isEqualTo(200); // observes g1 now
    upstream.clearRequests();
    Instant t = PUBLISHED.plusSeconds(3600);
    String at = TimeSpec.format(t);

    JsonNode before = json(reprox.get("-/api/repos/fix/resolve?root=" + q(ROOT) + "&at=" + at));

    assertThat(before.get("status").asText()).isEqualTo("proven");
    assertThat(before.get("generation").asText()).isEqualTo("sha256:" + g1.inReleaseSha256());
    assertThat(before.get("pinned").asBoolean()).isFalse();
    assertThat(before.get("wouldPin").asBoolean()).isTrue();
    assertThat(reprox.storage.pins().list("fix")).isEmpty();

    assertThat(reprox.get("fix/@" + at + "/" + ROOT).statusCode()).isEqualTo(200); // a request pins
    JsonNode after = json(reprox.get("-/api/repos/fix/resolve?root=" + q(ROOT) + "&at=" + at));

    assertThat(after.get("status").asText()).isEqualTo("proven");
    assertThat(after.get("pinned").asBoolean()).isTrue();
    assertThat(after.get("wouldPin").asBoolean()).isFalse();
    assertThat(after.get("pinFrom").asText()).isEqualTo(t.toString());
    assertThat(reprox.storage.pins().list("fix")).hasSize(1);
    assertThat(upstream.requests()).isEmpty();
  }

  @Test
  void resolve_rootNeverSeen_saysNoGeneration_withoutFetching() throws Exception {
    JsonNode r = json(reprox.get("-/api/repos/fix/resolve?root=" + q(ROOT) + "&at=" + TimeSpec.format(NOW)));

    assertThat(r.get("status").asText()).isEqualTo("no-generation");
    assertThat(r.get("mayFetch").asBoolean()).isTrue();
    assertThat(upstream.requests()).isEmpty();
    assertThat(reprox.storage.observations().roots("fix")).isEmpty();
  }

  @Test
  void unknownRoutes_answer404_jsonUnderApi() throws Exception {
    assertError(reprox.get("-/api/nope"), 404, "not_found");
    assertError(reprox.get("-/api/repos/fix/nope?root=" + q(ROOT)), 404, "not_found");
    assertError(reprox.get("-/api/repos/zzz/resolve?root=" + q(ROOT) + "&at=now"), 404, "not_found");
    assertError(reprox.get("-/api/repos/fix"), 404, "not_found");
    assertError(reprox.get("-/api/repos/fix/resolve?root=" + q(ROOT) + "&at=yesterday-ish"), 400, "bad_request");
    assertThat(reprox.get("-/nope").statusCode()).isEqualTo(404);
    assertThat(reprox.get("-/").statusCode()).isEqualTo(200);
    assertThat(reprox.get("-/api/builds").statusCode()).isEqualTo(200);
  }
}
