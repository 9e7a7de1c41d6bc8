package dev.reprox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.ReproxServer;
import dev.reprox.server.cli.Main;
import dev.reprox.server.testing.InProcessReprox;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.rocks.RocksStorage;
import dev.reprox.testkit.apt.AptClient;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The done-when of issue 11 for apt, with the real apt-get on loopback: a labelled forward-mode
 * {@code apt-get install} at T → {@code reprox lock --label} → a fresh store filled by
 * {@code reprox prewarm} while the upstream is up → upstream stopped, reprox {@code --offline} on
 * that store → the same install at T gets byte-identical packages.
 */
class LockfileAptIT {
  private static final Instant G1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final long T = G1.plus(Duration.ofHours(1)).getEpochSecond();

  @TempDir Path tmp;

  private static String run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return code + "\n" + out + err;
  }

  private AptClient apt(String name, URI source, Path keyring, URI proxy) {
    AptClient apt = AptClient.builder(tmp.resolve("apt-" + name)).keyring(keyring)
        .source(source, "stable", "main", "check-valid-until=no").proxy(proxy).timeout(Duration.ofSeconds(120)).build();
    apt.update();
    return apt;
  }

  @Test
  void aptGet_lockPrewarmOffline_sameBytes() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(G1).acquireByHash(true)
        .add("foo", "1.0").add("bar", "2.0");
    AptGeneration g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    Path lockfile = tmp.resolve("reprox.lock.json");
    Path fresh = tmp.resolve("fresh");
    List<Path> first;
    try (dev.reprox.testkit.http.StaticServer upstream = dev.reprox.testkit.http.StaticServer.serve(repo.root())) {
      URI source = upstream.baseUri();
      String yaml = ForwardProxyIT.yaml(source, keyring);
      try (InProcessReprox recording = InProcessReprox.withConfig(tmp.resolve("recording"), yaml,
          new MutableClock(Instant.now()))) {
        first = apt("a", source, keyring, recording.proxyUri(T + ":ci-apt")).downloadOnly("foo", "bar");
        assertThat(first).hasSize(2);
        String server = "http://127.0.0.1:" + recording.server.address().getPort();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String lock;
        do {
          lock = run("lock", "--label", "ci-apt", "--server", server, "-o", lockfile.toString());
        } while (!(lock.startsWith("0\n") && Files.readString(lockfile).contains(g1.deb("foo").poolPath())
            && Files.readString(lockfile).contains(g1.deb("bar").poolPath())) && System.nanoTime() < deadline
            && sleep());
        assertThat(lock).startsWith("0\n");
      }
      Path config = tmp.resolve("reprox.yaml");
      Files.writeString(config, yaml);
      String prewarm = run("prewarm", "--data", fresh.toString(), "--config", config.toString(), lockfile.toString());
      assertThat(prewarm).startsWith("0\n").containsPattern("stored +2\n");
      upstream.stop();

      ReproxConfig cfg = ConfigLoader.load(Optional.of(config), Map.of(), new ConfigLoader.Overrides(
          Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(fresh), Optional.of(true)));
      try (ReproxServer offline = ReproxServer.builder().config(cfg)
          .storage(RocksStorage.builder().path(fresh.resolve("store")).build()).clock(Clock.systemUTC())
          .drainTimeout(Duration.ofSeconds(2)).start()) {
        URI proxy = URI.create("http://" + T + "@127.0.0.1:" + offline.address().getPort() + "/");
        List<Path> again = apt("b", source, keyring, proxy).downloadOnly("foo", "bar");
        assertThat(again).hasSize(2);
        for (int i = 0; i < 2; i++) {
          assertThat(again.get(i).getFileName()).isEqualTo(first.get(i).getFileName());
          assertThat(Files.readAllBytes(again.get(i))).isEqualTo(Files.readAllBytes(first.get(i)));
        }
      }
    }
  }

  private static boolean sleep() throws InterruptedException {
    Thread.sleep(50); // a poll interval: records are written a moment after the answer
    return true;
  }
}
