package dev.reprox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.ReproxServer;
import dev.reprox.server.cli.Main;
import dev.reprox.server.testing.InProcessReprox;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.rocks.RocksStorage;
import dev.reprox.testkit.dnf.DnfClient;
import dev.reprox.testkit.dnf.DnfGeneration;
import dev.reprox.testkit.dnf.DnfRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The done-when of issue 11 for dnf, with the real dnf (gpgcheck and repo_gpgcheck on) on
 * loopback: a labelled forward-mode {@code dnf install} at T → {@code reprox lock --label} → a
 * fresh store filled by {@code reprox prewarm} while the upstream is up → upstream stopped, reprox
 * {@code --offline} on that store → the same install at T gets byte-identical rpms (dnf keeps
 * them: {@code keepcache}) and identical installed headers.
 */
class LockfileDnfIT {
  private static final String LABEL = "ci-dnf";

  @TempDir Path tmp;

  static String run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return code + "\n" + out + err;
  }

  @Test
  void dnfInstall_lockPrewarmOffline_sameBytes() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long t = now.minus(2, ChronoUnit.HOURS).getEpochSecond();
    Path lockfile = tmp.resolve("reprox.lock.json");
    Path fresh = tmp.resolve("fresh");
    try (DnfRepoBuilder repo = DnfRepoBuilder.in(tmp.resolve("upstream")).date(now.minus(3, ChronoUnit.HOURS))
        .add("foo", "1.0").add("bar", "2.0");
        StaticServer upstream = StaticServer.serve(tmp.resolve("upstream"))) {
      DnfGeneration g1 = repo.publish();
      Path key = repo.writePublicKey(tmp.resolve("RPM-GPG-KEY-fixture"));
      String yaml = "repositories:\n  dnffix:\n    format: dnf\n    upstream: "
          + upstream.baseUri().toString().replaceAll("/$", "") + "\n    keyring: " + key + "\n    root-ttl: 60s\n";
      Map<String, String> first;
      java.util.List<String> installedFirst;
      try (InProcessReprox recording = InProcessReprox.withConfig(tmp.resolve("recording"), yaml,
          new MutableClock(Instant.now()))) {
        try (DnfClient dnf = client("a", upstream.baseUri(), key, recording.server.address().getPort(), t + ":" + LABEL)) {
          dnf.install("foo", "bar");
          installedFirst = dnf.installed();
          first = rpms(dnf.cacheDir());
        }
        assertThat(installedFirst).contains(g1.rpm("foo").installedLine(), g1.rpm("bar").installedLine());
        assertThat(first).containsOnlyKeys(g1.rpm("foo").path().replaceAll(".*/", ""),
            g1.rpm("bar").path().replaceAll(".*/", ""));
        String server = "http://127.0.0.1:" + recording.server.address().getPort();
        String lock = lockUntil(LABEL, server, lockfile, g1.rpm("foo").path(), g1.rpm("bar").path());
        assertThat(lock).startsWith("0\n");
      }
      String text = Files.readString(lockfile);
      assertThat(text).contains("\"format\" : \"dnf\"", "\"path\" : \"repodata/repomd.xml\"", g1.repomdSha256(),
          "\"checksumType\" : \"sha256\"", g1.rpm("foo").sha256(), g1.rpm("bar").sha256());

      Path config = Files.writeString(tmp.resolve("reprox.yaml"), yaml);
      String prewarm = run("prewarm", "--data", fresh.toString(), "--config", config.toString(), lockfile.toString());
      assertThat(prewarm).startsWith("0\n").containsPattern("stored +2\n");
      upstream.stop();
      int upstreamRequests = upstream.requests().size();

      try (ReproxServer offline = offline(config, fresh);
          DnfClient dnf = client("b", upstream.baseUri(), key, offline.address().getPort(), Long.toString(t))) {
        dnf.install("foo", "bar");
        assertThat(dnf.installed()).as("installed headers, upstream stopped").isEqualTo(installedFirst);
        assertThat(rpms(dnf.cacheDir())).as("sha256 of every rpm dnf got").isEqualTo(first);
      }
      assertThat(upstream.requests()).as("nothing reached the stopped upstream").hasSize(upstreamRequests);
    }
  }

  /**
   * A primary.xml naming its packages by SHA-512 or SHA-1 (createrepo_c --checksum), an
   * rpms.lock.yaml naming them by SHA-256: prewarm checks both (the listing's hash by the fill,
   * the lockfile's computed while the body streams), refuses a lockfile hash the listed bytes do
   * not have naming both, stores the rest, and the real dnf through an offline reprox on that store
   * gets the upstream's rpms byte for byte.
   */
  @ParameterizedTest
  @CsvSource({"sha512, SHA-512", "sha1, SHA-1"})
  void rpmsLockYaml_primaryByAnotherHash_prewarmChecksBoth_offlineDnfSameBytes(String type, String algorithm)
      throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long t = now.minus(2, ChronoUnit.HOURS).getEpochSecond();
    Path fresh = tmp.resolve("fresh");
    try (DnfRepoBuilder repo = DnfRepoBuilder.in(tmp.resolve("upstream")).date(now.minus(3, ChronoUnit.HOURS))
        .packageChecksum(type).add("foo", "1.0").add("bar", "2.0");
        StaticServer upstream = StaticServer.serve(tmp.resolve("upstream"))) {
      DnfGeneration g = repo.publish();
      Path key = repo.writePublicKey(tmp.resolve("RPM-GPG-KEY-fixture"));
      String primary = new String(new java.util.zip.GZIPInputStream(Files.newInputStream(g.resolve(
          g.files().keySet().stream().filter(p -> p.endsWith("primary.xml.gz")).findFirst().orElseThrow())))
          .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      DnfGeneration.BuiltRpm foo = g.rpm("foo");
      DnfGeneration.BuiltRpm bar = g.rpm("bar");
      String barListed = hash(algorithm, g.resolve(bar.path()));
      assertThat(primary).as("the listing names packages by " + type + " only").contains("type=\"" + type + "\"")
          .contains(barListed).doesNotContain("type=\"sha256\"");
      Map<String, String> upstreamRpms = Map.of(foo.path().replaceAll(".*/", ""), foo.sha256(),
          bar.path().replaceAll(".*/", ""), bar.sha256());
      assertThat(upstreamRpms).containsEntry(bar.path().replaceAll(".*/", ""), hash("SHA-256", g.resolve(bar.path())));
      String base = upstream.baseUri().toString().replaceAll("/$", "");
      Path config = Files.writeString(tmp.resolve("reprox.yaml"), "repositories:\n  dnffix:\n    format: dnf\n"
          + "    upstream: " + base + "\n    keyring: " + key + "\n    root-ttl: 60s\n");
      String wrong = "0".repeat(64);
      String lock = "lockfileVersion: 1\nlockfileVendor: redhat\narches:\n- arch: noarch\n  packages:\n"
          + "  - url: " + base + "/" + foo.path() + "\n    repoid: fixture\n    size: " + foo.size() + "\n"
          + "    checksum: sha256:" + foo.sha256() + "\n    name: foo\n"
          + "  - url: " + base + "/" + bar.path() + "\n    repoid: fixture\n    size: " + bar.size() + "\n"
          + "    checksum: sha256:" + wrong + "\n    name: bar\n  source: []\n";
      Path lockfile = Files.writeString(tmp.resolve("rpms.lock.yaml"), lock);

      String first = run("prewarm", "--data", fresh.toString(), "--config", config.toString(), "--at",
          Long.toString(t), lockfile.toString());
      assertThat(first).startsWith("1\n").containsPattern("stored +1\n").containsPattern("hash mismatch +1\n");
      assertThat(first).as("the mismatch names the listing's hash and the lockfile's")
          .contains(lockfile + ":11: ").contains(barListed).contains(wrong);
      Files.writeString(lockfile, lock.replace(wrong, bar.sha256()));
      String second = run("prewarm", "--data", fresh.toString(), "--config", config.toString(), "--at",
          Long.toString(t), lockfile.toString());
      assertThat(second).startsWith("0\n").containsPattern("stored +1\n").containsPattern("already present +1\n");
      upstream.stop();
      int upstreamRequests = upstream.requests().size();

      try (ReproxServer offline = offline(config, fresh);
          DnfClient dnf = client("c", upstream.baseUri(), key, offline.address().getPort(), Long.toString(t))) {
        dnf.install("foo", "bar");
        assertThat(dnf.installed()).contains(foo.installedLine(), bar.installedLine());
        assertThat(rpms(dnf.cacheDir())).as("sha256 of every rpm dnf got, upstream stopped").isEqualTo(upstreamRpms);
      }
      assertThat(upstream.requests()).as("nothing reached the stopped upstream").hasSize(upstreamRequests);
    }
  }

  private static String hash(String algorithm, Path p) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(Files.readAllBytes(p)));
  }

  /** Polls {@code reprox lock --label} until it names every path: records are written a moment after the answer. */
  static String lockUntil(String label, String server, Path lockfile, String... paths) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      String lock = run("lock", "--label", label, "--server", server, "-o", lockfile.toString());
      boolean all = lock.startsWith("0\n");
      for (String p : paths) {
        all &= all && Files.readString(lockfile).contains(p);
      }
      if (all || System.nanoTime() > deadline) {
        return lock;
      }
      Thread.sleep(50); // a poll interval, not a stand-in for synchronisation: the loop checks the condition
    }
  }

  static ReproxServer offline(Path config, Path data) throws Exception {
    ReproxConfig cfg = ConfigLoader.load(Optional.of(config), Map.of(), new ConfigLoader.Overrides(
        Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(data), Optional.of(true)));
    return ReproxServer.builder().config(cfg).storage(RocksStorage.builder().path(data.resolve("store")).build())
        .clock(Clock.systemUTC()).drainTimeout(Duration.ofSeconds(2)).start();
  }

  /**
   * Forward mode: the .repo names the upstream, the proxy's credentials carry T (and the label).
   * dnf sends them only after a 407 unless {@code proxy_auth_method=basic} (README, dnf section).
   */
  private DnfClient client(String name, URI upstream, Path key, int port, String credentials) {
    return DnfClient.builder(tmp.resolve("dnf-" + name)).repo("fixture", upstream).gpgKey(key)
        .proxy(URI.create("http://" + credentials + "@127.0.0.1:" + port)).setopt("proxy_auth_method", "basic")
        .setopt("keepcache", "True").timeout(Duration.ofSeconds(120)).build();
  }

  /** File name → sha256 of every rpm dnf kept in its cache. */
  private static Map<String, String> rpms(Path cache) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(cache)) {
      files.filter(p -> p.toString().endsWith(".rpm")).forEach(p -> out.put(p.getFileName().toString(), sha256(p)));
    }
    return out;
  }

  private static String sha256(Path p) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
