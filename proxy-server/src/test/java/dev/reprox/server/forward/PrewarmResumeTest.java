package dev.reprox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reprox.server.cli.Main;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import dev.reprox.storage.rocks.RocksStorage;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.apt.DebPackage;
import dev.reprox.testkit.http.StaticServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reprox prewarm} killed with SIGKILL half-way (issue 11): the rerun completes, asks the
 * upstream nothing for the packages the first run stored, and every stored package is whole (the
 * store holds no partial blob). The upstream is throttled (1 request in flight, 4/s) so that the
 * kill lands while packages are still missing.
 */
class PrewarmResumeTest {
  private static final Instant G1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final int PACKAGES = 16;

  @TempDir Path tmp;

  @Test
  void killedHalfWay_rerunFetchesOnlyWhatIsMissing_nothingPartialStored() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(G1);
    for (int i = 0; i < PACKAGES; i++) {
      repo.add(DebPackage.of("pkg" + i, "1.0").withPayloadSize(256 * 1024));
    }
    AptGeneration g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    ObjectMapper json = new ObjectMapper();
    ObjectNode lock = json.createObjectNode().put("lockfileVersion", 1);
    ObjectNode r = lock.putArray("repositories").addObject().put("name", "fix").put("at", "2024-03-01T06:00:00Z");
    r.putArray("roots").addObject().put("path", "dists/stable/InRelease").put("generation", "sha256:"
        + g1.inReleaseSha256());
    ArrayNode packages = r.putArray("packages");
    for (AptGeneration.BuiltDeb d : g1.debs()) {
      packages.addObject().put("path", d.poolPath()).put("sha256", d.sha256()).put("size", d.size());
    }
    Path lockfile = tmp.resolve("reprox.lock.json");
    Files.writeString(lockfile, json.writeValueAsString(lock));
    Path data = tmp.resolve("data");

    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      String up = upstream.baseUri().toString().replaceAll("/$", "");
      Path config = tmp.resolve("reprox.yaml");
      Files.writeString(config, "repositories:\n  fix:\n    format: apt\n    upstream: " + up + "\n    keyring: "
          + keyring + "\nupstreams:\n  \"" + up.replace("localhost", "127.0.0.1") + "\":\n    concurrency: 1\n"
          + "    rate: 4\n    burst: 1\n");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      Process p = new ProcessBuilder(java, "-cp", classpath, Main.class.getName(), "prewarm", "--data",
          data.toString(), "--config", config.toString(), "--jobs", "4", lockfile.toString())
          .redirectErrorStream(true).start();
      List<String> before = new ArrayList<>();
      try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          before.add(line);
          if (before.stream().filter(l -> l.matches("prewarm \\d+/\\d+ stored .*")).count() >= 3) {
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no close
            break;
          }
        }
      }
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(before).as("killed before it finished").noneMatch(l -> l.startsWith("total"));

      upstream.clearRequests();
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = Main.run(new PrintWriter(out), new PrintWriter(err), "prewarm", "--data", data.toString(),
          "--config", config.toString(), lockfile.toString());

      assertThat(code).as(out + "\n" + err).isEqualTo(0);
      List<String> present = out.toString().lines().filter(l -> l.matches("prewarm \\d+/\\d+ present .*"))
          .map(l -> l.substring(l.indexOf("fix/") + 4)).toList();
      assertThat(present).as(out.toString()).hasSizeGreaterThanOrEqualTo(3).hasSizeLessThan(PACKAGES);
      for (String path : present) {
        assertThat(upstream.requestsFor("/" + path)).as(path).isEmpty();
      }
      assertThat(upstream.requests().stream().filter(q -> q.path().endsWith(".deb")).count())
          .isEqualTo(PACKAGES - present.size());
    }
    try (Storage store = RocksStorage.builder().path(data.resolve("store")).readOnly(true).build()) {
      for (AptGeneration.BuiltDeb d : g1.debs()) {
        assertThat(store.blobs().stat(Digest.sha256(d.sha256()))).as(d.poolPath()).isPresent();
      }
      assertThat(store.blobs().scrub(damaged -> { }).clean()).isTrue();
    }
  }
}
