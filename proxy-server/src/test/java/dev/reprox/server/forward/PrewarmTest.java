package dev.reprox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.ApiConfig;
import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.ReproxServer;
import dev.reprox.server.cli.Main;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import dev.reprox.storage.rocks.RocksStorage;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reprox prewarm} (issue 11) on stopped stores: a lockfile written by {@code reprox lock}
 * fills an empty store through the verified chain, a second run asks the upstream nothing, an
 * offline reprox then serves the same bytes at T; a lockfile hash that disagrees with the signed
 * listing stores nothing and names both hashes; a corrupt line is named by file and line.
 */
class PrewarmTest {
  private static final String ROOT = "dists/stable/InRelease";
  private static final Instant G1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final String T = "20240301T060000Z";

  @TempDir Path tmp;

  private AptGeneration g1;
  private Path keyring;
  private Path repoRoot;

  @BeforeEach
  void repository() {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(G1).add("foo", "1.0").add("bar", "2.0");
    g1 = repo.publish();
    keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    repoRoot = repo.root();
  }

  private Path config(String upstream, boolean offline) throws Exception {
    Path file = tmp.resolve(offline ? "offline.yaml" : "reprox.yaml");
    Files.writeString(file, "repositories:\n  fix:\n    format: apt\n    upstream: " + upstream + "\n    keyring: "
        + keyring + "\n" + (offline ? "offline: true\n" : ""));
    return file;
  }

  private static ReproxServer start(Path config, Path data, String admin) throws Exception {
    ReproxConfig cfg = ConfigLoader.load(Optional.of(config), Map.of(), new ConfigLoader.Overrides(
        Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(data), Optional.empty()));
    if (admin != null) {
      cfg = cfg.withApi(new ApiConfig(Optional.of(new ApiConfig.Token(admin, Optional.empty())), Optional.empty()));
    }
    return ReproxServer.builder().config(cfg).storage(RocksStorage.builder().path(data.resolve("store")).build())
        .clock(Clock.systemUTC()).drainTimeout(Duration.ofSeconds(2)).start();
  }

  record Run(int code, String out, String err) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  /** A labelled build at T through a reprox over {@code data}, then its lockfile. */
  private Path lockedBuild(String up, Path data) throws Exception {
    Path lockfile = tmp.resolve("reprox.lock.json");
    try (ReproxServer s = start(config(up, false), data, null)) {
      HttpClient proxied = HttpClient.newBuilder()
          .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", s.address().getPort()))).build();
      String basic = Base64.getEncoder().encodeToString((T + ":ci").getBytes(StandardCharsets.UTF_8));
      for (String path : new String[] {ROOT, "dists/stable/main/binary-amd64/Packages.gz",
          g1.deb("foo").poolPath(), g1.deb("bar").poolPath()}) {
        HttpResponse<byte[]> r = proxied.send(HttpRequest.newBuilder(URI.create(up + "/" + path))
            .header("Proxy-Authorization", "Basic " + basic).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      Run lock;
      do {
        lock = cli("lock", "--label", "ci", "--server", "http://127.0.0.1:" + s.address().getPort(),
            "-o", lockfile.toString());
      } while ((lock.code() != 0 || !Files.readString(lockfile).contains(g1.deb("bar").poolPath())
          || !Files.readString(lockfile).contains(g1.deb("foo").poolPath())) && System.nanoTime() < deadline
          && pause());
      assertThat(lock.code()).as(lock.err()).isEqualTo(0);
    }
    return lockfile;
  }

  private static boolean pause() throws InterruptedException {
    Thread.sleep(50); // a poll interval: records are written a moment after the answer
    return true;
  }

  @Test
  void lockfile_fillsEmptyStore_secondRunAsksNothing_offlineServesSameBytes() throws Exception {
    try (StaticServer upstream = StaticServer.serve(repoRoot)) {
      String up = upstream.baseUri().toString().replaceAll("/$", "");
      Path lockfile = lockedBuild(up, tmp.resolve("a"));
      Path fresh = tmp.resolve("b");

      Run first = cli("prewarm", "--data", fresh.toString(), "--config", config(up, false).toString(),
          lockfile.toString());
      assertThat(first.code()).as(first.out() + first.err()).isEqualTo(0);
      assertThat(first.out()).containsPattern("stored +2\\n").containsPattern("already present +0\\n");

      upstream.clearRequests();
      Run second = cli("prewarm", "--data", fresh.toString(), "--config", config(up, false).toString(),
          lockfile.toString());
      assertThat(second.code()).as(second.out() + second.err()).isEqualTo(0);
      assertThat(second.out()).containsPattern("already present +2\\n");
      assertThat(upstream.requests()).as("a second run asks the upstream nothing").isEmpty();

      upstream.stop();
      try (ReproxServer offline = start(config(up, true), fresh, null)) {
        for (String name : new String[] {"foo", "bar"}) {
          String pool = g1.deb(name).poolPath();
          HttpResponse<byte[]> r = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build().send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + offline.address().getPort() + "/fix/@" + T + "/"
                  + pool)).build(), HttpResponse.BodyHandlers.ofByteArray());
          assertThat(r.statusCode()).as(pool).isEqualTo(200);
          assertThat(r.body()).isEqualTo(Files.readAllBytes(repoRoot.resolve(pool)));
        }
      }
    }
  }

  @Test
  void lockfileHashDisagreesWithSignedListing_namesBoth_storesNothing() throws Exception {
    try (StaticServer upstream = StaticServer.serve(repoRoot)) {
      String up = upstream.baseUri().toString().replaceAll("/$", "");
      Path lockfile = lockedBuild(up, tmp.resolve("a"));
      String real = g1.deb("foo").sha256();
      String wrong = "0".repeat(64);
      Files.writeString(lockfile, Files.readString(lockfile).replace(real, wrong));
      Path fresh = tmp.resolve("c");
      upstream.clearRequests();

      Run run = cli("prewarm", "--data", fresh.toString(), "--config", config(up, false).toString(),
          lockfile.toString());

      assertThat(run.code()).isEqualTo(1);
      assertThat(run.out()).containsPattern("hash mismatch +1\\n").containsPattern("stored +1\\n");
      assertThat(run.err()).contains(g1.deb("foo").poolPath()).contains("sha256:" + real).contains("sha256:" + wrong);
      assertThat(upstream.requestsFor("/" + g1.deb("foo").poolPath())).isEmpty();
      try (Storage store = RocksStorage.builder().path(fresh.resolve("store")).readOnly(true).build()) {
        assertThat(store.blobs().stat(Digest.sha256(real))).isEmpty();
      }
    }
  }

  @Test
  void lockByName_resolvesInThePackagesAtT_sameLockfileAsTheLabelledBuild() throws Exception {
    try (StaticServer upstream = StaticServer.serve(repoRoot)) {
      String up = upstream.baseUri().toString().replaceAll("/$", "");
      Path labelled = lockedBuild(up, tmp.resolve("a"));
      Path byName = tmp.resolve("by-name.lock.json");

      Run run = cli("lock", "--repo", "fix", "--at", T, "--data", tmp.resolve("a").toString(), "--config",
          config(up, false).toString(), "-o", byName.toString(), "foo", "bar=2.0");

      assertThat(run.code()).as(run.err()).isEqualTo(0);
      assertThat(Files.readString(byName)).isEqualTo(Files.readString(labelled));
      Run missing = cli("lock", "--repo", "fix", "--at", T, "--data", tmp.resolve("a").toString(), "--config",
          config(up, false).toString(), "foo", "bar=9.9", "baz");
      assertThat(missing.code()).isEqualTo(1);
      assertThat(missing.out()).contains(g1.deb("foo").poolPath()).doesNotContain(g1.deb("bar").poolPath());
      assertThat(missing.err()).contains("lock: bar=9.9: not in the Packages of fix at 2024-03-01T06:00:00Z")
          .contains("lock: baz: not in");
    }
  }

  @Test
  void sha256sums_corruptLine_namesFileAndLine() throws Exception {
    Path sums = tmp.resolve("SHA256SUMS");
    Files.writeString(sums, "# repro-get\n" + g1.deb("foo").sha256() + "  " + g1.deb("foo").poolPath() + "\n"
        + "not-a-hash  pool/x.deb\n");

    Run run = cli("prewarm", "--data", tmp.resolve("d").toString(), "--repo", "fix", "--at", T, sums.toString());

    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains(sums + ":3: not \"<sha256>  <path>\": not-a-hash  pool/x.deb");
  }
}
