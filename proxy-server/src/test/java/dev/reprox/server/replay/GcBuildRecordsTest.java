package dev.reprox.server.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprox.server.testing.InProcessReprox;
import dev.reprox.storage.BuildEntry;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Generation;
import dev.reprox.storage.MutableClock;
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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Build records are a gc root: a labelled, unpinned build's generation and package survive the
 * server's own collection (admin API) while an unlabelled, unpinned one outside the retention
 * window goes; once the record is older than {@code builds.retention} it keeps nothing.
 */
class GcBuildRecordsTest {
  static final String ROOT = "dists/stable/InRelease";
  static final String PACKAGES = "dists/stable/main/binary-amd64/Packages";
  static final String ADMIN = "admin-0123456789abcdef";
  static final Instant P1 = Instant.parse("2024-03-01T00:00:00Z");
  static final Instant P2 = Instant.parse("2024-03-02T00:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(P1.plusSeconds(3600));
  private final HttpClient direct = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
  private StaticServer upstream;
  private InProcessReprox reprox;
  private AptRepoBuilder repo;
  private String up;

  @BeforeEach
  void start() throws Exception {
    repo = AptRepoBuilder.in(tmp.resolve("www")).date(P1).add("foo", "1.0").add("bar", "1.0");
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    repo.publish();
    upstream = StaticServer.serve(repo.root());
    up = upstream.baseUri().toString().replaceAll("/$", "");
    // keep: 1d, so that only pins, the current generation and build records keep anything a month on.
    reprox = new InProcessReprox(tmp.resolve("reprox"), "  fix:\n    format: apt\n    upstream: " + up
        + "\n    keyring: " + keyring + "\n    root-ttl: 1s\n"
        + "retention:\n  keep: 1d\napi:\n  admin-token: " + ADMIN + "\nbuilds:\n  retention: 90d\n", clock, false);
  }

  @AfterEach
  void stop() {
    reprox.close();
    upstream.close();
  }

  private void mirrorBuild(AptGeneration g, String pkg) throws Exception {
    for (String path : new String[] {ROOT, PACKAGES, g.deb(pkg).poolPath()}) {
      assertThat(reprox.get("fix/" + path).statusCode()).as(path).isEqualTo(200);
    }
  }

  /** A live forward-mode build with a label (empty user name: not pinned). */
  private void labelledBuild(String label, AptGeneration g, String pkg) throws Exception {
    HttpClient proxied = HttpClient.newBuilder()
        .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", reprox.server.address().getPort()))).build();
    String basic = Base64.getEncoder().encodeToString((":" + label).getBytes(StandardCharsets.UTF_8));
    for (String path : new String[] {ROOT, PACKAGES, g.deb(pkg).poolPath()}) {
      HttpResponse<byte[]> r = proxied.send(HttpRequest.newBuilder(URI.create(up + "/" + path))
          .header("Proxy-Authorization", "Basic " + basic).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).as(path).isEqualTo(200);
    }
  }

  private HttpResponse<String> admin(String method, String path) throws Exception {
    return direct.send(HttpRequest.newBuilder(reprox.base().resolve(path))
        .method(method, HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer " + ADMIN).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The server's own collection, started through the admin API and awaited until reported. */
  private JsonNode gc() throws Exception {
    HttpResponse<String> started = admin("POST", "-/api/admin/gc");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    long run = JSON.readTree(started.body()).path("run").asLong();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonNode last = JSON.readTree(admin("GET", "-/api/admin/gc").body()).path("last");
    while (last.path("run").asLong(-1) != run && System.nanoTime() < deadline) {
      Thread.sleep(20); // a poll interval, not a synchronisation: the reported run decides
      last = JSON.readTree(admin("GET", "-/api/admin/gc").body()).path("last");
    }
    assertThat(last.path("run").asLong(-1)).as("gc run " + run + " reported").isEqualTo(run);
    assertThat(last.has("error")).as(last.toString()).isFalse();
    return last;
  }

  private boolean recorded(String label, Digest sha) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      for (BuildEntry e : reprox.storage.builds().entries(label)) {
        if (e.sha256().equals(sha)) {
          return true;
        }
      }
      Thread.sleep(20); // records are written off the request path; the stored entry decides
    }
    return false;
  }

  @Test
  void gc_keepsWhatAKeptBuildRecordNames_unlabelledUnpinnedGoes_expiredRecordKeepsNothing() throws Exception {
    // g1: a live build without a label. g2: a live build labelled ci-7. g3: current, a month later.
    AptGeneration g1 = repo.publish();
    mirrorBuild(g1, "foo");
    AptGeneration g2 = repo.date(P2).remove("foo").add("foo", "2.0").publish();
    clock.set(P2.plusSeconds(3600));
    labelledBuild("ci-7", g2, "foo");
    Digest foo1 = Digest.sha256(g1.deb("foo").sha256());
    Digest foo2 = Digest.sha256(g2.deb("foo").sha256());
    assertThat(recorded("ci-7", foo2)).as("ci-7's record names foo 2.0").isTrue();
    AptGeneration g3 = repo.date(P2.plus(Duration.ofDays(30))).remove("foo").add("foo", "3.0").publish();
    clock.set(P2.plus(Duration.ofDays(30)).plusSeconds(3600));
    mirrorBuild(g3, "foo");
    assertThat(reprox.storage.observations().generations("fix", ROOT)).hasSize(3);

    JsonNode first = gc();

    assertThat(first.path("generations").asLong()).as(first.toString()).isEqualTo(1);
    assertThat(reprox.storage.blobs().stat(foo1)).as("only g1, unlabelled and unpinned, named foo 1.0").isEmpty();
    assertThat(reprox.storage.blobs().stat(foo2)).as("ci-7's record keeps foo 2.0").isPresent();
    assertThat(reprox.storage.observations().generations("fix", ROOT)).extracting(Generation::digest)
        .extracting(Digest::hex).containsExactly(g2.inReleaseSha256(), g3.inReleaseSha256());

    // 100 days after ci-7 last ran: its record is past builds.retention (even before the hourly
    // expiry deletes it), so it keeps nothing any more.
    clock.set(P2.plus(Duration.ofDays(100)));
    assertThat(reprox.storage.builds().label("ci-7")).isPresent();
    gc();

    assertThat(reprox.storage.blobs().stat(foo2)).isEmpty();
    assertThat(reprox.storage.observations().generations("fix", ROOT)).extracting(Generation::digest)
        .extracting(Digest::hex).containsExactly(g3.inReleaseSha256());
  }
}
