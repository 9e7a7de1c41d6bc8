package dev.reprox.server.lock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprox.server.cli.Main;
import dev.reprox.server.testing.InProcessReprox;
import dev.reprox.storage.rocks.RocksStorage;
import dev.reprox.testkit.apk.ApkGeneration;
import dev.reprox.testkit.apk.ApkKey;
import dev.reprox.testkit.apk.ApkRepoBuilder;
import dev.reprox.testkit.dnf.DnfGeneration;
import dev.reprox.testkit.dnf.DnfRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reprox lock --repo R --at T NAME[=VERSION]…} for dnf (from primary) and apk (from
 * APKINDEX) on a stopped store that a client filled at T through reprox: the lockfile names each
 * package with the generation at T, conforms to the schema, and (apk, whose index names no
 * SHA-256) pre-warms a fresh store by its Q1; an unknown name, a version not in the generation, an
 * unknown repository and a T with no generation each give a line saying so. With {@code --server}
 * the same names resolve through a running reprox's mirror routes (apt: refused, store only).
 */
class LockByNameIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private static String run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return code + "\n" + out + err;
  }

  @Test
  void dnf_namesFromPrimaryAtT_lockfileAndErrors() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long t = now.minus(2, ChronoUnit.HOURS).getEpochSecond();
    try (DnfRepoBuilder repo = DnfRepoBuilder.in(tmp.resolve("upstream")).date(now.minus(3, ChronoUnit.HOURS))
        .add("foo", "1.0").add("bar", "2.0");
        StaticServer upstream = StaticServer.serve(tmp.resolve("upstream"))) {
      DnfGeneration g1 = repo.publish();
      Path key = repo.writePublicKey(tmp.resolve("RPM-GPG-KEY-fixture"));
      String repos = "  dnffix:\n    format: dnf\n    upstream: " + upstream.baseUri().toString().replaceAll("/$", "")
          + "\n    keyring: " + key + "\n";
      Path data = tmp.resolve("data");
      String primary = g1.files().keySet().stream().filter(p -> p.endsWith("primary.xml.gz")).findFirst().orElseThrow();
      fill(data, repos, "/dnffix/@" + t + "/repodata/repomd.xml", "/dnffix/@" + t + "/" + primary);
      Path config = Files.writeString(tmp.resolve("reprox.yaml"), "repositories:\n" + repos);
      Path out = tmp.resolve("dnf.lock.json");

      String ok = run("lock", "--repo", "dnffix", "--at", Long.toString(t), "--data", data.toString(), "--config",
          config.toString(), "-o", out.toString(), "foo", "bar=2.0-1");
      assertThat(ok).startsWith("0\n");
      JsonNode lock = JSON.readTree(Files.readString(out));
      assertThat(MiniSchema.check(JSON.readTree(LockfileTest.SCHEMA.toFile()), lock)).isEmpty();
      JsonNode r = lock.path("repositories").get(0);
      assertThat(r.path("format").asText()).isEqualTo("dnf");
      assertThat(r.path("roots").get(0).path("path").asText()).isEqualTo("repodata/repomd.xml");
      assertThat(r.path("roots").get(0).path("generation").asText()).isEqualTo("sha256:" + g1.repomdSha256());
      assertThat(r.path("packages")).hasSize(2);
      JsonNode bar = r.path("packages").get(0);
      assertThat(bar.path("path").asText()).isEqualTo(g1.rpm("bar").path());
      assertThat(bar.path("sha256").asText()).isEqualTo(g1.rpm("bar").sha256());
      assertThat(bar.path("size").asLong()).isEqualTo(g1.rpm("bar").size());
      assertThat(bar.path("checksumType").asText()).isEqualTo("sha256");
      assertThat(r.path("packages").get(1).path("sha256").asText()).isEqualTo(g1.rpm("foo").sha256());

      String bad = run("lock", "--repo", "dnffix", "--at", Long.toString(t), "--data", data.toString(), "--config",
          config.toString(), "-o", tmp.resolve("bad.json").toString(), "foo=9.9-1", "nope", "bar");
      assertThat(bad).startsWith("1\n")
          .contains("lock: foo=9.9-1: version 9.9-1 is not in the primary of dnffix/repodata/repomd.xml at "
              + Instant.ofEpochSecond(t) + " (generation sha256:" + g1.repomdSha256() + "), which has 1.0-1")
          .contains("lock: nope: no package of that name in the primary of dnffix");
      assertThat(Files.readString(tmp.resolve("bad.json"))).as("what could be locked is").contains(g1.rpm("bar").path())
          .doesNotContain(g1.rpm("foo").path());

      assertThat(run("lock", "--repo", "dnffix", "--at", "20010101", "--data", data.toString(), "--config",
          config.toString(), "foo")).startsWith("1\n")
          .contains("no generation of dnffix/repodata/repomd.xml at 2001-01-01T00:00:00Z in the store");
      assertThat(run("lock", "--repo", "nosuch", "--at", Long.toString(t), "--data", data.toString(), "--config",
          config.toString(), "foo")).startsWith("2\n").contains("no repository nosuch is configured; configured: [")
          .contains("dnffix");

      // Through a running reprox with an empty store: its mirror routes fetch and verify repomd and primary at T.
      try (InProcessReprox running = running(repos)) {
        String server = "http://127.0.0.1:" + running.server.address().getPort();
        assertThat(run("lock", "--repo", "dnffix", "--at", Long.toString(t), "--server", server, "--config",
            config.toString(), "foo", "bar")).startsWith("0\n").contains(g1.repomdSha256(), g1.rpm("foo").sha256(),
            g1.rpm("bar").sha256(), "\"checksumType\" : \"sha256\"");
        assertThat(run("lock", "--repo", "debian", "--at", Long.toString(t), "--server", server, "hello"))
            .startsWith("2\n").contains("debian is apt: its names are resolved from a stopped store only");
      }
    }
  }

  @Test
  void apk_namesFromApkindexAtT_q1WithoutSha256_prewarmsAFreshStore() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long t = now.minus(2, ChronoUnit.HOURS).getEpochSecond();
    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("upstream")).key(ApkKey.generate("reprox-it.rsa.pub"))
        .date(now.minus(3, ChronoUnit.HOURS)).add("foo", "1.0-r0").add("bar", "2.0-r0");
    Path keys = Files.createDirectories(tmp.resolve("keys"));
    repo.writePublicKey(keys);
    ApkGeneration g1 = repo.publish();
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      String repos = "  apkfix:\n    format: apk\n    upstream: " + upstream.baseUri().toString().replaceAll("/$", "")
          + "\n    keyring: " + keys + "\n";
      Path data = tmp.resolve("data");
      // The index at T and foo's body: foo gets its SHA-256 from the store, bar (never fetched) its Q1 alone.
      fill(data, repos, "/apkfix/@" + t + "/" + g1.index(), "/apkfix/@" + t + "/" + g1.apk("foo").path());
      Path config = Files.writeString(tmp.resolve("reprox.yaml"), "repositories:\n" + repos);
      Path out = tmp.resolve("apk.lock.json");

      String ok = run("lock", "--repo", "apkfix", "--at", Long.toString(t), "--data", data.toString(), "--config",
          config.toString(), "-o", out.toString(), "foo=1.0-r0", "bar");
      assertThat(ok).startsWith("0\n");
      JsonNode lock = JSON.readTree(Files.readString(out));
      assertThat(MiniSchema.check(JSON.readTree(LockfileTest.SCHEMA.toFile()), lock)).isEmpty();
      JsonNode r = lock.path("repositories").get(0);
      assertThat(r.path("roots").get(0).path("path").asText()).as("the one root the store holds").isEqualTo(g1.index());
      assertThat(r.path("roots").get(0).path("generation").asText()).isEqualTo("sha256:" + g1.indexSha256());
      JsonNode bar = r.path("packages").get(0);
      JsonNode foo = r.path("packages").get(1);
      assertThat(bar.path("path").asText()).isEqualTo(g1.apk("bar").path());
      assertThat(bar.path("apkQ1").asText()).isEqualTo(g1.apk("bar").q1());
      assertThat(bar.has("sha256")).as("APKINDEX names no SHA-256 and the store has no body").isFalse();
      assertThat(bar.path("size").asLong()).isEqualTo(g1.apk("bar").size());
      assertThat(foo.path("apkQ1").asText()).isEqualTo(g1.apk("foo").q1());
      assertThat(foo.path("sha256").asText()).isEqualTo(g1.apk("foo").sha256());

      assertThat(run("lock", "--repo", "apkfix", "--at", Long.toString(t), "--data", data.toString(), "--config",
          config.toString(), "foo=0.9-r0", "nope")).startsWith("1\n")
          .contains("lock: foo=0.9-r0: version 0.9-r0 is not in the APKINDEX of apkfix/" + g1.index())
          .contains("which has 1.0-r0").contains("lock: nope: no package of that name in the APKINDEX of apkfix/");

      String prewarm = run("prewarm", "--data", tmp.resolve("fresh").toString(), "--config", config.toString(),
          out.toString());
      assertThat(prewarm).startsWith("0\n").containsPattern("stored +2\n");

      // Through a running reprox: the index at T from its mirror route; whether a body is stored is not asked.
      try (InProcessReprox running = running(repos)) {
        String server = "http://127.0.0.1:" + running.server.address().getPort();
        assertThat(run("lock", "--repo", "apkfix", "--at", Long.toString(t), "--server", server, "--config",
            config.toString(), "--root", g1.index(), "foo", "bar")).startsWith("0\n")
            .contains(g1.indexSha256(), g1.apk("foo").q1(), g1.apk("bar").q1()).doesNotContain(g1.apk("foo").sha256());
        assertThat(run("lock", "--repo", "apkfix", "--at", Long.toString(t), "--server", server, "--config",
            config.toString(), "foo")).startsWith("2\n").contains("name one with --root");
      }
    }
  }

  private InProcessReprox running(String repos) throws Exception {
    return new InProcessReprox(tmp.resolve("running"), repos, Clock.systemUTC(), false,
        dev.reprox.storage.memory.MemoryStorage.builder().build());
  }

  /** Requests {@code paths} through a reprox over a store in {@code data}, then closes both. */
  private void fill(Path data, String repos, String... paths) throws Exception {
    dev.reprox.storage.Storage storage = RocksStorage.builder().path(data.resolve("store")).build();
    try (storage; InProcessReprox reprox = new InProcessReprox(tmp.resolve("fill"), repos, Clock.systemUTC(), false,
        storage)) {
      for (String p : List.of(paths)) {
        assertThat(reprox.get(p.substring(1)).statusCode()).as(p).isEqualTo(200);
      }
    }
  }
}
