package dev.reprox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reprox prewarm} of a Debian {@code .buildinfo} (issue 11): its
 * {@code Installed-Build-Depends} resolved by name and version in the Packages of the generation
 * at its {@code Build-Date}, a T between two generations the store has seen, so the upstream's
 * current Packages (the later generation) must not be the one read; the earlier generation's
 * Packages are fetched (by hash) because no client ever asked for them. A version the generation
 * at T does not have is "not found at T".
 */
class PrewarmBuildinfoTest {
  private static final Instant G1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final Instant G2 = Instant.parse("2024-03-02T00:00:00Z");
  private static final String BUILD_DATE = "Fri, 01 Mar 2024 06:00:00 +0000";
  private static final String T = "20240301T060000Z";

  @TempDir Path tmp;

  private Path config(String upstream, Path keyring, boolean offline) throws Exception {
    Path file = tmp.resolve(offline ? "offline.yaml" : "reprox.yaml");
    Files.writeString(file, "repositories:\n  fix:\n    format: apt\n    upstream: " + upstream + "\n    keyring: "
        + keyring + "\n    root-ttl: 1s\n" + (offline ? "offline: true\n" : ""));
    return file;
  }

  private static ReproxServer start(Path config, Path data) throws Exception {
    ReproxConfig cfg = ConfigLoader.load(Optional.of(config), Map.of(), new ConfigLoader.Overrides(
        Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(data), Optional.empty()));
    return ReproxServer.builder().config(cfg).storage(RocksStorage.builder().path(data.resolve("store")).build())
        .clock(Clock.systemUTC()).drainTimeout(Duration.ofSeconds(2)).start();
  }

  private static HttpResponse<byte[]> get(ReproxServer s, String path) throws Exception {
    return HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + s.address().getPort() + "/fix/" + path)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static boolean pause() throws InterruptedException {
    Thread.sleep(100); // a poll interval, not a wait for something to happen
    return true;
  }

  record Run(int code, String out, String err) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  /** A clearsigned buildinfo as dpkg-genbuildinfo writes it (signed with the fixture's throwaway key). */
  private static byte[] buildinfo(AptRepoBuilder repo, String depends) {
    String text = "Format: 1.0\nSource: hello\nBinary: hello\nArchitecture: amd64\nVersion: 2.10-3\n"
        + "Checksums-Sha256:\n " + "0".repeat(64) + " 1234 hello_2.10-3_amd64.deb\n"
        + "Build-Origin: Debian\nBuild-Architecture: amd64\nBuild-Date: " + BUILD_DATE + "\n"
        + "Build-Path: /build/reproducible-path/hello-2.10\nInstalled-Build-Depends:\n" + depends
        + "Environment:\n DEB_BUILD_OPTIONS=\"parallel=2\"\n LANG=\"C.UTF-8\"\n";
    return repo.signingKey().clearsign(text.getBytes(StandardCharsets.UTF_8), G1.plusSeconds(3600 * 7));
  }

  @Test
  void buildinfo_tBetweenTwoGenerations_prewarmsEveryNamedPackageOfTheEarlier_unknownVersionNotFoundAtT()
      throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(G1).acquireByHash(true)
        .add("foo", "1.0").add("bar", "2.0");
    AptGeneration g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    Path data = tmp.resolve("data");
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      String up = upstream.baseUri().toString().replaceAll("/$", "");
      Path config = config(up, keyring, false);
      // The store sees G1 live, then G2 (which adds qux): only their InReleases, no Packages.
      try (ReproxServer s = start(config, data)) {
        assertThat(get(s, "dists/stable/InRelease").statusCode()).isEqualTo(200);
      }
      repo.add("qux", "1.0").date(G2).publish();
      try (ReproxServer s = start(config, data)) {
        // G1's live root is served for root-ttl (1s) before it is revalidated: poll until G2 is seen.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String live;
        do {
          HttpResponse<byte[]> r = get(s, "dists/stable/InRelease");
          assertThat(r.statusCode()).isEqualTo(200);
          live = new String(r.body(), StandardCharsets.UTF_8);
        } while (!live.contains("Date: Sat, 02 Mar 2024") && System.nanoTime() < deadline && pause());
        assertThat(live).contains("Date: Sat, 02 Mar 2024");
      }
      Path first = tmp.resolve("hello_2.10-3_amd64.buildinfo");
      Files.write(first, buildinfo(repo, " foo (= 1.0),\n bar:amd64 (= 2.0)\n"));
      upstream.clearRequests();

      Run run = cli("prewarm", "--data", data.toString(), "--config", config.toString(), first.toString());

      assertThat(run.code()).as(run.out() + run.err()).isEqualTo(0);
      assertThat(run.out()).containsPattern("stored +2\\n").containsPattern("not found at T +0\\n");
      assertThat(upstream.requestsEndingWith("/Packages")).as("the current (G2) Packages is not G1's").isEmpty();
      try (Storage store = RocksStorage.builder().path(data.resolve("store")).readOnly(true).build()) {
        for (String name : new String[] {"foo", "bar"}) {
          assertThat(store.blobs().stat(Digest.sha256(g1.deb(name).sha256()))).as(name).isPresent();
        }
      }

      Path second = tmp.resolve("other_1_amd64.buildinfo");
      Files.write(second, buildinfo(repo, " foo (= 1.0), qux (= 1.0),\n bar (= 9.9)\n"));
      Run missing = cli("prewarm", "--data", data.toString(), "--config", config.toString(), second.toString());

      assertThat(missing.code()).as(missing.out() + missing.err()).isEqualTo(1);
      assertThat(missing.out()).containsPattern("already present +1\\n").containsPattern("not found at T +2\\n");
      assertThat(missing.err()).contains(second + ":").contains("fix/qux:amd64 (= 1.0): not found at T")
          .contains("fix/bar:amd64 (= 9.9): not found at T").contains("not in the Packages of generation sha256:"
              + g1.inReleaseSha256());

      // What was stored is what the generation at T serves, with the upstream gone.
      upstream.stop();
      try (ReproxServer offline = start(config(up, keyring, true), data)) {
        for (String name : new String[] {"foo", "bar"}) {
          HttpResponse<byte[]> r = get(offline, "@" + T + "/" + g1.deb(name).poolPath());
          assertThat(r.statusCode()).as(name).isEqualTo(200);
          assertThat(Digest.compute(r.body()).hex()).isEqualTo(g1.deb(name).sha256());
        }
      }
    }
  }
}
