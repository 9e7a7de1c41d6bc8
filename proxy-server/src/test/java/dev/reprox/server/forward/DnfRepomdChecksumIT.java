package dev.reprox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.ReproxServer;
import dev.reprox.storage.Digest;
import dev.reprox.storage.rocks.RocksStorage;
import dev.reprox.testkit.dnf.DnfClient;
import dev.reprox.testkit.dnf.DnfGeneration;
import dev.reprox.testkit.dnf.DnfRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A dnf repository whose repomd.xml names primary and the other metadata by sha512 or sha1 only
 * ({@code createrepo_c --repomd-checksum}), with the real dnf (gpgcheck and repo_gpgcheck on):
 * a package asked at T before anyone fetched primary is located (reprox fetches primary, checks it
 * against repomd's hash, indexes it); the real dnf installs at T through reprox; with the upstream
 * stopped an offline reprox on that store replays the install and primary byte for byte;
 * {@code reprox prewarm} of an rpms.lock.yaml fills a fresh store an offline dnf installs from; and
 * a primary of the right size with other bytes is refused and stores nothing.
 */
class DnfRepomdChecksumIT {
  private static final String REPO = "dnffix";

  @TempDir Path tmp;

  private final HttpClient http = HttpClient.newHttpClient();

  @ParameterizedTest
  @ValueSource(strings = {"sha512", "sha1"})
  void repomdByAnotherHash_locateDnfReplayOfflinePrewarm_tamperedPrimaryRefused(String type) throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long t = now.minus(2, ChronoUnit.HOURS).getEpochSecond();
    try (DnfRepoBuilder repo = DnfRepoBuilder.in(tmp.resolve("upstream")).date(now.minus(3, ChronoUnit.HOURS))
        .repomdChecksum(type).add("foo", "1.0").add("bar", "2.0");
        StaticServer upstream = StaticServer.serve(tmp.resolve("upstream"))) {
      DnfGeneration g = repo.publish();
      Path key = repo.writePublicKey(tmp.resolve("RPM-GPG-KEY-fixture"));
      String repomd = Files.readString(g.resolve(DnfGeneration.REPOMD));
      assertThat(repomd).as("repomd.xml names its files by " + type + " only")
          .contains("<checksum type=\"" + type + "\">").doesNotContain("type=\"sha256\"");
      String primary = g.files().keySet().stream().filter(p -> p.endsWith("-primary.xml.gz")).findFirst()
          .orElseThrow();
      byte[] primaryBytes = Files.readAllBytes(g.resolve(primary));
      DnfGeneration.BuiltRpm foo = g.rpm("foo");
      DnfGeneration.BuiltRpm bar = g.rpm("bar");
      Map<String, String> upstreamRpms = Map.of(name(foo), foo.sha256(), name(bar), bar.sha256());
      String base = upstream.baseUri().toString().replaceAll("/$", "");
      Path config = Files.writeString(tmp.resolve("reprox.yaml"), "repositories:\n  " + REPO + ":\n"
          + "    format: dnf\n    upstream: " + base + "\n    keyring: " + key + "\n    root-ttl: 60s\n");
      Path recorded = tmp.resolve("recorded");

      List<String> installed;
      try (ReproxServer online = server(config, recorded, false)) {
        String at = "http://127.0.0.1:" + online.address().getPort() + "/" + REPO + "/@" + t + "/";
        assertThat(get(at + DnfGeneration.REPOMD).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> rpm = get(at + foo.path());
        assertThat(rpm.statusCode()).as("a package before anyone fetched primary: located").isEqualTo(200);
        assertThat(rpm.body()).isEqualTo(Files.readAllBytes(g.resolve(foo.path())));
        assertThat(upstream.requestsEndingWith("-primary.xml.gz")).as("primary, fetched by reprox once").hasSize(1);
        try (DnfClient dnf = mirror("record", URI.create(at), key)) {
          dnf.install("foo", "bar");
          installed = dnf.installed();
          assertThat(rpms(dnf.cacheDir())).isEqualTo(upstreamRpms);
        }
        assertThat(installed).contains(foo.installedLine(), bar.installedLine());
      }

      upstream.stop();
      int upstreamRequests = upstream.requests().size();
      try (ReproxServer offline = server(config, recorded, true)) {
        String at = "http://127.0.0.1:" + offline.address().getPort() + "/" + REPO + "/@" + t + "/";
        assertThat(get(at + primary).body()).as("primary at T, offline, byte for byte").isEqualTo(primaryBytes);
        try (DnfClient dnf = mirror("replay", URI.create(at), key)) {
          dnf.install("foo", "bar");
          assertThat(dnf.installed()).as("installed headers at T, offline").isEqualTo(installed);
          assertThat(rpms(dnf.cacheDir())).isEqualTo(upstreamRpms);
        }
      }
      assertThat(upstream.requests()).as("nothing reached the stopped upstream").hasSize(upstreamRequests);

      // reprox prewarm of an rpms.lock.yaml into a fresh store, then an offline install from it.
      upstream.start();
      Path fresh = tmp.resolve("fresh");
      Path lockfile = Files.writeString(tmp.resolve("rpms.lock.yaml"), "lockfileVersion: 1\nlockfileVendor: redhat\n"
          + "arches:\n- arch: noarch\n  packages:\n" + lockEntry(base, foo) + lockEntry(base, bar) + "  source: []\n");
      String prewarm = LockfileDnfIT.run("prewarm", "--data", fresh.toString(), "--config", config.toString(), "--at",
          Long.toString(t), lockfile.toString());
      assertThat(prewarm).startsWith("0\n").containsPattern("stored +2\n");
      upstream.stop();
      upstreamRequests = upstream.requests().size();
      try (ReproxServer offline = server(config, fresh, true); DnfClient dnf = mirror("prewarmed",
          URI.create("http://127.0.0.1:" + offline.address().getPort() + "/" + REPO + "/@" + t + "/"), key)) {
        dnf.install("foo", "bar");
        assertThat(dnf.installed()).as("installed headers at T from the pre-warmed store").isEqualTo(installed);
        assertThat(rpms(dnf.cacheDir())).isEqualTo(upstreamRpms);
      }
      assertThat(upstream.requests()).as("nothing reached the stopped upstream").hasSize(upstreamRequests);

      // A primary of the right size with other bytes: the package it would name is refused, and
      // neither the tampered bytes nor anything indexed from them is stored.
      upstream.start();
      repo.tamper(primary);
      byte[] tampered = Files.readAllBytes(g.resolve(primary));
      assertThat(tampered).hasSameSizeAs(primaryBytes).isNotEqualTo(primaryBytes);
      Path other = tmp.resolve("tampered");
      try (ReproxServer online = server(config, other, false)) {
        String at = "http://127.0.0.1:" + online.address().getPort() + "/" + REPO + "/@" + t + "/";
        assertThat(get(at + DnfGeneration.REPOMD).statusCode()).isEqualTo(200);
        assertThat(get(at + foo.path()).statusCode()).as("a package of the tampered primary").isEqualTo(502);
        Throwable direct = catchThrowable(() -> {
          HttpResponse<byte[]> r = get(at + primary);
          assertThat(r.statusCode()).isEqualTo(200);
        });
        assertThat(direct).as("the client never gets the whole tampered primary").isNotNull();
      }
      try (dev.reprox.storage.Storage store = RocksStorage.builder().path(other.resolve("store")).build()) {
        assertThat(store.blobs().stat(Digest.compute(tampered))).as("tampered primary stored").isEmpty();
        assertThat(store.blobs().stat(Digest.sha256(foo.sha256()))).as("package stored").isEmpty();
        assertThat(store.paths().lookup(REPO, foo.path())).as("path index").isEmpty();
      }
    }
  }

  private HttpResponse<byte[]> get(String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String lockEntry(String base, DnfGeneration.BuiltRpm rpm) {
    return "  - url: " + base + "/" + rpm.path() + "\n    repoid: fixture\n    size: " + rpm.size() + "\n"
        + "    checksum: sha256:" + rpm.sha256() + "\n    name: " + rpm.name() + "\n";
  }

  private static ReproxServer server(Path config, Path data, boolean offline) throws Exception {
    ReproxConfig cfg = ConfigLoader.load(Optional.of(config), Map.of(), new ConfigLoader.Overrides(
        Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(data), Optional.of(offline)));
    return ReproxServer.builder().config(cfg).storage(RocksStorage.builder().path(data.resolve("store")).build())
        .clock(Clock.systemUTC()).drainTimeout(Duration.ofSeconds(2)).start();
  }

  private DnfClient mirror(String name, URI baseurl, Path key) {
    return DnfClient.builder(tmp.resolve("dnf-" + name)).repo("fixture", baseurl).gpgKey(key)
        .setopt("keepcache", "True").timeout(Duration.ofSeconds(120)).build();
  }

  private static String name(DnfGeneration.BuiltRpm rpm) {
    return rpm.path().replaceAll(".*/", "");
  }

  /** File name → sha256 of every rpm dnf kept in its cache. */
  private static Map<String, String> rpms(Path cache) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(cache)) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".rpm"))::iterator) {
        out.put(p.getFileName().toString(),
            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    }
    return out;
  }
}
