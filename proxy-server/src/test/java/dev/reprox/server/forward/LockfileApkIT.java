package dev.reprox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.ReproxServer;
import dev.reprox.server.testing.InProcessReprox;
import dev.reprox.storage.MutableClock;
import dev.reprox.testkit.apk.ApkClient;
import dev.reprox.testkit.apk.ApkGeneration;
import dev.reprox.testkit.apk.ApkKey;
import dev.reprox.testkit.apk.ApkRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The done-when of issue 11 for apk, with the testkit's apk client (signature-checked index, Q1
 * of each package's control member) on loopback: a labelled forward-mode fetch at T →
 * {@code reprox lock --label} → a fresh store filled by {@code reprox prewarm} while the upstream
 * is up → upstream stopped, reprox {@code --offline} on that store → the same fetch at T gets
 * byte-identical packages.
 */
class LockfileApkIT {
  private static final String LABEL = "ci-apk";

  @TempDir Path tmp;

  @Test
  void apkFetch_lockPrewarmOffline_sameBytes() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long t = now.minus(2, ChronoUnit.HOURS).getEpochSecond();
    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("upstream")).key(ApkKey.generate("reprox-it.rsa.pub"))
        .date(now.minus(3, ChronoUnit.HOURS)).add("foo", "1.0-r0").add("bar", "2.0-r0");
    Path keys = Files.createDirectories(tmp.resolve("keys"));
    repo.writePublicKey(keys);
    ApkGeneration g1 = repo.publish();
    Path lockfile = tmp.resolve("reprox.lock.json");
    Path fresh = tmp.resolve("fresh");
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      String yaml = "repositories:\n  apkfix:\n    format: apk\n    upstream: "
          + upstream.baseUri().toString().replaceAll("/$", "") + "\n    keyring: " + keys + "\n    root-ttl: 60s\n";
      List<byte[]> first;
      try (InProcessReprox recording = InProcessReprox.withConfig(tmp.resolve("recording"), yaml,
          new MutableClock(Instant.now()))) {
        ApkClient apk = client("a", upstream.baseUri(), recording.server.address().getPort(), t + ":" + LABEL);
        assertThat(apk.update()).containsKeys("foo", "bar");
        first = read(apk.fetch("foo", "bar"));
        assertThat(first.get(0)).isEqualTo(Files.readAllBytes(g1.resolve(g1.apk("foo").path())));
        String server = "http://127.0.0.1:" + recording.server.address().getPort();
        String lock = LockfileDnfIT.lockUntil(LABEL, server, lockfile, g1.apk("foo").path(), g1.apk("bar").path());
        assertThat(lock).startsWith("0\n");
      }
      String text = Files.readString(lockfile);
      assertThat(text).contains("\"format\" : \"apk\"", "\"path\" : \"" + g1.index() + "\"", g1.indexSha256(),
          "\"apkQ1\" : \"" + g1.apk("foo").q1() + "\"", "\"apkQ1\" : \"" + g1.apk("bar").q1() + "\"",
          g1.apk("foo").sha256(), g1.apk("bar").sha256());

      Path config = Files.writeString(tmp.resolve("reprox.yaml"), yaml);
      String prewarm = LockfileDnfIT.run("prewarm", "--data", fresh.toString(), "--config", config.toString(),
          lockfile.toString());
      assertThat(prewarm).startsWith("0\n").containsPattern("stored +2\n");
      upstream.stop();
      int upstreamRequests = upstream.requests().size();

      try (ReproxServer offline = LockfileDnfIT.offline(config, fresh)) {
        ApkClient apk = client("b", upstream.baseUri(), offline.address().getPort(), Long.toString(t));
        assertThat(apk.update().get("foo").version()).isEqualTo("1.0-r0");
        List<byte[]> again = read(apk.fetch("foo", "bar"));
        assertThat(again).hasSize(2);
        for (int i = 0; i < 2; i++) {
          assertThat(again.get(i)).as("package %d, byte for byte", i).isEqualTo(first.get(i));
        }
      }
      assertThat(upstream.requests()).as("nothing reached the stopped upstream").hasSize(upstreamRequests);
    }
  }

  /** Forward mode: the repository line names the upstream, {@code http_proxy}'s credentials carry T and the label. */
  private ApkClient client(String name, URI upstream, int port, String credentials) {
    return ApkClient.builder(tmp.resolve("apk-" + name)).repository(upstream.resolve("v3.20/main"))
        .keysDir(tmp.resolve("keys")).arch("x86_64").proxy(URI.create("http://" + credentials + "@127.0.0.1:" + port))
        .build();
  }

  private static List<byte[]> read(List<Path> files) throws Exception {
    List<byte[]> out = new java.util.ArrayList<>();
    for (Path f : files) {
      out.add(Files.readAllBytes(f));
    }
    return out;
  }
}
