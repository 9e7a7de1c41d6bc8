package dev.reprox.server.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.pinning.Format;
import dev.reprox.server.bundle.BundleException;
import dev.reprox.server.bundle.BundleExport;
import dev.reprox.server.bundle.BundleImport;
import dev.reprox.server.cli.Main;
import dev.reprox.server.fetch.Formats;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Pin;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import dev.reprox.storage.rocks.RocksStorage;
import dev.reprox.testkit.apk.ApkClient;
import dev.reprox.testkit.apk.ApkGeneration;
import dev.reprox.testkit.apk.ApkKey;
import dev.reprox.testkit.apk.ApkRepoBuilder;
import dev.reprox.testkit.apt.AptClient;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.dnf.DnfClient;
import dev.reprox.testkit.dnf.DnfGeneration;
import dev.reprox.testkit.dnf.DnfRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import dev.reprox.server.testing.InProcessReprox;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Export and import (the air-gap story): the real apt-get records T through instance A, A's pins
 * go into a bundle, a fresh instance B imports it and serves the same install at T offline, byte
 * for byte; a changed byte is refused whole; a conflicting pin is reported and kept; a second
 * import changes nothing.
 */
class BundleIT {
  private static final Instant T1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final Instant T2 = Instant.parse("2024-03-02T12:00:00Z");
  private static final String AT = "@20240301T010000Z";
  private static final Instant AT_T = Instant.parse("2024-03-01T01:00:00Z");
  private static final String ROOT = "dists/stable/InRelease";

  @TempDir
  Path tmp;

  /** Instance A after apt-get fetched foo at {@link #AT}: its store, its bundle, what it served. */
  private record Recorded(AptRepoBuilder repo, AptGeneration g1, Path keyring, byte[] inRelease, String pinHeader,
      byte[] bundle, Map<String, Format> formats) {}

  @Test
  void exportImport_cli_freshOfflineInstanceServesSameAptInstallAtT() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).acquireByHash(true).add("foo", "1.0")
        .add("bar", "2.1");
    AptGeneration g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    MutableClock clock = new MutableClock(Instant.now());
    Path dataA = tmp.resolve("a-data");
    byte[] inReleaseA;
    try (StaticServer upstream = StaticServer.serve(repo.root());
        Storage storeA = RocksStorage.builder().path(dataA.resolve("store")).clock(clock).build();
        InProcessReprox a = new InProcessReprox(tmp.resolve("a"), AptReplayIT.yaml(upstream.baseUri(), keyring),
            clock, false, storeA)) {
      List<Path> debs = apt("a", a.base().resolve("fix/" + AT), keyring).downloadOnly("foo", "bar");
      assertThat(debs).hasSize(2);
      inReleaseA = a.get("fix/" + AT + "/" + ROOT).body();
      // the upstream moves on: the bundle is about T, not about now
      repo.remove("foo").add("foo", "2.0").date(T2).publish();
    }
    Path config = tmp.resolve("reprox.yaml");
    Files.writeString(config, "repositories:\n" + AptReplayIT.yaml(URI.create("http://127.0.0.1:9/"), keyring));
    Path bundle = tmp.resolve("t1.bundle");
    assertThat(cli("export", "--config", config.toString(), "--data", dataA.toString(), "--repo", "fix", "--at",
        "20240301T010000Z", "-o", bundle.toString())).startsWith("0 ").contains("1 pins");

    Path dataB = tmp.resolve("b-data");
    Files.createDirectories(dataB);
    assertThat(cli("import", "--config", config.toString(), "--data", dataB.toString(), bundle.toString()))
        .startsWith("0 ").contains("pins: 1 added");
    // idempotent through the CLI too
    assertThat(cli("import", "--config", config.toString(), "--data", dataB.toString(), bundle.toString()))
        .startsWith("0 ").contains("nothing changed");

    try (Storage storeB = RocksStorage.builder().path(dataB.resolve("store")).clock(clock).build();
        InProcessReprox b = new InProcessReprox(tmp.resolve("b"), AptReplayIT.yaml(URI.create("http://127.0.0.1:9/"),
            keyring), clock, true, storeB)) {
      List<Path> debs = apt("b", b.base().resolve("fix/" + AT), keyring).downloadOnly("foo", "bar");
      assertThat(debs).extracting(p -> p.getFileName().toString())
          .containsExactlyInAnyOrder("foo_1.0_amd64.deb", "bar_2.1_amd64.deb");
      for (Path d : debs) {
        String name = d.getFileName().toString().split("_")[0];
        assertThat(AptReplayIT.sha256(d)).isEqualTo(g1.deb(name).sha256());
      }
      HttpResponse<byte[]> root = b.get("fix/" + AT + "/" + ROOT);
      assertThat(root.body()).isEqualTo(inReleaseA);
      assertThat(root.headers().firstValue("X-Reprox-Pin")).hasValue("proven");
      String generations = new String(b.get("-/api/repos/fix/generations?root=" + ROOT).body());
      assertThat(generations).contains(g1.inReleaseSha256()).contains("import");
    }
  }

  /**
   * Also for a repomd.xml and primary naming their files by sha512 or sha1 only: export finds them
   * through the aliases their checked fills recorded, import checks them against those hashes (a
   * primary of the right size with other bytes, consistent with the manifest, is refused).
   */
  @ParameterizedTest
  @CsvSource({"sha256, sha256", "sha512, sha512", "sha1, sha1"})
  void exportImport_dnf_freshOfflineInstanceInstallsTheSameRpmsAtT(String repomdChecksum, String packageChecksum)
      throws Exception {
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Instant t = now.minus(Duration.ofHours(2));
    String yaml;
    Path key;
    DnfGeneration g1;
    byte[] bundle;
    Map<String, Format> formats;
    List<String> installedThroughA;
    java.time.Clock clock = java.time.Clock.systemUTC();
    String primary;
    byte[] primaryBytes;
    try (DnfRepoBuilder repo = DnfRepoBuilder.in(tmp.resolve("dnf-upstream")).date(now.minus(Duration.ofHours(3)))
        .repomdChecksum(repomdChecksum).packageChecksum(packageChecksum).add("foo", "1.0").add("bar", "1.0");
        StaticServer upstream = StaticServer.serve(tmp.resolve("dnf-upstream"))) {
      g1 = repo.publish();
      primary = g1.files().keySet().stream().filter(p -> p.endsWith("-primary.xml.gz")).findFirst().orElseThrow();
      primaryBytes = Files.readAllBytes(g1.resolve(primary));
      key = repo.writePublicKey(tmp.resolve("RPM-GPG-KEY-fixture"));
      yaml = "  dnffix:\n    format: dnf\n    upstream: " + upstream.baseUri().toString().replaceAll("/$", "")
          + "\n    keyring: " + key + "\n";
      try (InProcessReprox a = new InProcessReprox(tmp.resolve("dnf-a"), yaml, clock, false,
          MemoryStorage.builder().clock(clock).build())) {
        try (DnfClient dnf = dnf("a", URI.create(a.base() + "dnffix/@" + t.getEpochSecond() + "/"), key)) {
          dnf.install("foo", "bar");
          installedThroughA = dnf.installed();
        }
        // the upstream moves on before the export: the bundle is about T
        repo.remove("foo").add("foo", "2.0").date(now.minus(Duration.ofHours(1))).publish();
        formats = formats(yaml, clock);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BundleExport(a.storage, formats, clock).write(List.of(new BundleExport.Selection("dnffix", t)), out);
        bundle = out.toByteArray();
      }
    }
    assertThat(installedThroughA).contains(g1.rpm("foo").installedLine(), g1.rpm("bar").installedLine());
    if (!repomdChecksum.equals("sha256")) {
      byte[] forged = primaryBytes.clone();
      forged[forged.length / 2] ^= 0x01;
      byte[] forgedBundle = zstd(replaceBlob(unzstd(bundle), Digest.compute(primaryBytes).hex(), forged));
      Storage refused = MemoryStorage.builder().clock(clock).build();
      assertThatThrownBy(() -> new BundleImport(refused, formats, clock).read(new ByteArrayInputStream(forgedBundle)))
          .isInstanceOf(BundleException.class).hasMessageContaining("nothing imported")
          .hasMessageContaining(primary).hasMessageContaining("names by " + repomdChecksum + ":");
      assertThat(refused.stats().blobCount()).isZero();
      assertThat(refused.pins().list("dnffix")).isEmpty();
    }
    Storage b = MemoryStorage.builder().clock(clock).build();
    BundleImport.Report report = new BundleImport(b, formats, clock).read(new ByteArrayInputStream(bundle));
    assertThat(report.pinsAdded()).isEqualTo(1);
    assertThat(report.signatures()).isEqualTo(1); // repomd.xml.asc
    try (InProcessReprox bServer = new InProcessReprox(tmp.resolve("dnf-b"), yaml, clock, true, b)) {
      URI atT = URI.create(bServer.base() + "dnffix/@" + t.getEpochSecond() + "/");
      try (DnfClient dnf = dnf("b", atT, key)) {
        dnf.install("foo", "bar");
        assertThat(dnf.installed()).isEqualTo(installedThroughA);
      }
      for (String name : List.of("foo", "bar")) {
        HttpResponse<byte[]> rpm = bServer.get("dnffix/@" + t.getEpochSecond() + "/" + g1.rpm(name).path());
        assertThat(Digest.compute(rpm.body()).hex()).isEqualTo(g1.rpm(name).sha256());
      }
    }
  }

  /** apk at T through A, the bundle, and what B must serve at T. */
  private record ApkRecorded(String yaml, Path keys, Instant t, ApkGeneration g1, Map<String, byte[]> bytes,
      byte[] bundle, Map<String, Format> formats) {}

  @Test
  void exportImport_apk_intoARunningServer_servesTheSameIndexAndPackagesAtT() throws Exception {
    ApkRecorded r = recordApk();
    Path token = tmp.resolve("admin-token");
    Files.writeString(token, "s3cret\n");
    Path bundle = Files.write(tmp.resolve("apk.bundle"), r.bundle());
    java.time.Clock clock = java.time.Clock.systemUTC();
    String at = APK_REPO + "/@" + r.t().getEpochSecond() + "/";
    String foo = at + r.g1().apk("foo").path();
    // B is online, and its upstream answers 404 for everything (the mirror is gone): what it learns
    // before the import (the negative-ttl cache) must not hide what the import brings.
    try (StaticServer gone = StaticServer.serve(Files.createDirectories(tmp.resolve("apk-gone")));
        InProcessReprox b = new InProcessReprox(tmp.resolve("apk-b"), apkYaml(gone.baseUri(), r.keys())
            + "api:\n  admin-token: s3cret\n", clock, false, MemoryStorage.builder().clock(clock).build())) {
      assertThat(b.get(at + APK_INDEX).statusCode()).isEqualTo(404);
      assertThat(b.get(foo).statusCode()).isEqualTo(404);
      assertThat(b.get(APK_REPO + "/" + APK_INDEX).statusCode()).isEqualTo(404);
      assertThat(gone.requestsFor("/" + APK_INDEX)).as("the upstream's 404 was remembered, not asked again").hasSize(1);

      assertThat(cli("import", "--server", b.base().toString(), "--token-file", token.toString(), bundle.toString()))
          .startsWith("0 ").contains("pins: 1 added");

      HttpResponse<byte[]> index = b.get(at + APK_INDEX);
      assertThat(index.statusCode()).isEqualTo(200);
      assertThat(index.body()).isEqualTo(r.bytes().get(APK_INDEX));
      assertThat(index.headers().firstValue("X-Reprox-Pin")).hasValue("proven");
      ApkClient client = apk("b", b, at, r.keys());
      assertThat(client.update().get("foo").version()).isEqualTo("1.0-r0");
      List<Path> apks = client.fetch("foo", "bar");
      assertThat(Files.readAllBytes(apks.get(0))).isEqualTo(r.bytes().get(r.g1().apk("foo").path()));
      assertThat(Files.readAllBytes(apks.get(1))).isEqualTo(r.bytes().get(r.g1().apk("bar").path()));
      assertThat(gone.requestsFor("/" + APK_INDEX)).as("served from the import, not asked").hasSize(1);
    }
    // and a fresh offline instance serves the same
    Storage c = MemoryStorage.builder().clock(clock).build();
    BundleImport.Report report = new BundleImport(c, r.formats(), clock).read(new ByteArrayInputStream(r.bundle()));
    assertThat(report.pinsAdded()).isEqualTo(1);
    assertThat(report.aliases()).isEqualTo(2); // foo's and bar's Q1
    try (InProcessReprox off = new InProcessReprox(tmp.resolve("apk-c"), r.yaml(), clock, true, c)) {
      ApkClient client = apk("c", off, at, r.keys());
      assertThat(client.update().get("foo").version()).isEqualTo("1.0-r0");
      List<Path> apks = client.fetch("foo", "bar");
      assertThat(Files.readAllBytes(apks.get(0))).isEqualTo(r.bytes().get(r.g1().apk("foo").path()));
      assertThat(Files.readAllBytes(apks.get(1))).isEqualTo(r.bytes().get(r.g1().apk("bar").path()));
    }
  }

  @Test
  void import_apkDataPartChangedUnderTheSameQ1AndSize_refusedWholeStoreUnchanged() throws Exception {
    ApkRecorded r = recordApk();
    ApkGeneration.BuiltApk foo = r.g1().apk("foo");
    byte[] forged = r.bytes().get(foo.path()).clone();
    forged[(int) ((foo.controlEnd() + forged.length) / 2)] ^= 0x01; // data member only: Q1 and size unchanged
    // consistent otherwise: the manifest and the entry name carry the forged body's SHA-256
    byte[] bundle = zstd(replaceBlob(unzstd(r.bundle()), foo.sha256(), forged));
    java.time.Clock clock = java.time.Clock.systemUTC();
    Storage b = MemoryStorage.builder().clock(clock).build();

    assertThatThrownBy(() -> new BundleImport(b, r.formats(), clock).read(new ByteArrayInputStream(bundle)))
        .isInstanceOf(BundleException.class).hasMessageContaining("nothing imported")
        .hasMessageContaining("data part sha256");

    assertThat(b.stats().blobCount()).isZero();
    assertThat(b.observations().roots(APK_REPO)).isEmpty();
    assertThat(b.pins().list(APK_REPO)).isEmpty();
    assertThat(b.aliases().resolve(new dev.reprox.storage.Alias(dev.reprox.storage.Alias.Kind.APK_Q1,
        java.util.Base64.getDecoder().decode(foo.q1().substring(2))))).isEmpty();
  }

  private static final String APK_REPO = "apkfix";
  private static final String APK_INDEX = "v3.20/main/x86_64/APKINDEX.tar.gz";

  /** apk update and fetch at T through an in-memory instance A, then A's bundle of that T. */
  private ApkRecorded recordApk() throws Exception {
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Instant t = now.minus(Duration.ofHours(2));
    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("apk-upstream")).key(ApkKey.generate("bundle-it.rsa.pub"))
        .date(now.minus(Duration.ofHours(3))).add("foo", "1.0-r0").add("bar", "2.0-r0");
    Path keys = Files.createDirectories(tmp.resolve("apk-keys"));
    repo.writePublicKey(keys);
    ApkGeneration g1 = repo.publish();
    Map<String, byte[]> bytes = new java.util.HashMap<>();
    bytes.put(APK_INDEX, Files.readAllBytes(g1.resolve(APK_INDEX)));
    for (ApkGeneration.BuiltApk a : g1.apks()) {
      bytes.put(a.path(), Files.readAllBytes(g1.resolve(a.path())));
    }
    java.time.Clock clock = java.time.Clock.systemUTC();
    try (StaticServer upstream = StaticServer.serve(repo.root());
        InProcessReprox a = new InProcessReprox(tmp.resolve("apk-a"), apkYaml(upstream.baseUri(), keys), clock,
            false, MemoryStorage.builder().clock(clock).build())) {
      String at = APK_REPO + "/@" + t.getEpochSecond() + "/";
      ApkClient client = apk("a", a, at, keys);
      client.update();
      List<Path> fetched = client.fetch("foo", "bar");
      assertThat(Files.readAllBytes(fetched.get(0))).isEqualTo(bytes.get(g1.apk("foo").path()));
      // the upstream moves on before the export: the bundle is about T
      repo.date(now.minus(Duration.ofHours(1))).remove("foo").add("foo", "1.1-r0").publish();
      String yaml = apkYaml(URI.create("http://127.0.0.1:9/"), keys);
      Map<String, Format> formats = formats(yaml, clock);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      new BundleExport(a.storage, formats, clock).write(List.of(new BundleExport.Selection(APK_REPO, t)), out);
      return new ApkRecorded(yaml, keys, t, g1, bytes, out.toByteArray(), formats);
    }
  }

  private static String apkYaml(URI upstream, Path keys) {
    return "  " + APK_REPO + ":\n    format: apk\n    upstream: " + upstream.toString().replaceAll("/$", "")
        + "\n    keyring: " + keys + "\n";
  }

  private ApkClient apk(String name, InProcessReprox server, String at, Path keys) {
    return ApkClient.builder(tmp.resolve("apk-client-" + name)).repository(URI.create(server.base() + at + "v3.20/main"))
        .keysDir(keys).arch("x86_64").build();
  }

  /** {@code tar} with the blob {@code oldHex} replaced by {@code body}, renamed and re-listed under its digest. */
  private static byte[] replaceBlob(byte[] tar, String oldHex, byte[] body) throws Exception {
    String newHex = Digest.compute(body).hex();
    ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
    try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(new ByteArrayInputStream(tar));
        var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(rewritten)) {
      out.setLongFileMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX);
      for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        byte[] entry = in.readAllBytes();
        String name = e.getName();
        if (name.equals("manifest.json")) {
          entry = new String(entry, java.nio.charset.StandardCharsets.UTF_8).replace(oldHex, newHex)
              .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } else if (name.equals("blobs/" + oldHex)) {
          name = "blobs/" + newHex;
          entry = body;
        }
        var copy = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name);
        copy.setSize(entry.length);
        out.putArchiveEntry(copy);
        out.write(entry);
        out.closeArchiveEntry();
      }
    }
    return rewritten.toByteArray();
  }

  private DnfClient dnf(String name, URI baseurl, Path key) {
    return DnfClient.builder(tmp.resolve("dnf-client-" + name)).repo("fixture", baseurl).gpgKey(key).build();
  }

  @Test
  void exportImport_againstRunningServers_byBuildLabel_streamedThroughTheAdminRoutes() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).acquireByHash(true).add("foo", "1.0");
    AptGeneration g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    Path token = tmp.resolve("admin-token");
    Files.writeString(token, "s3cret\n");
    MutableClock clock = new MutableClock(Instant.now());
    Path bundle = tmp.resolve("served.bundle");
    // A's store on disk: the label is exported after A restarted, from its persisted build record.
    Path storeA = tmp.resolve("a").resolve("data").resolve("store");
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      String yamlA = AptReplayIT.yaml(upstream.baseUri(), keyring) + "api:\n  admin-token: s3cret\n";
      try (InProcessReprox a = new InProcessReprox(tmp.resolve("a"), yamlA, clock, false,
          RocksStorage.builder().path(storeA).clock(clock).build())) {
        // forward mode with a build label: http://<T>:<label>@reprox, the sources name the upstream itself
        URI proxy = URI.create("http://" + AT_T.getEpochSecond() + ":ci-7@127.0.0.1:" + a.base().getPort());
        AptClient forward = AptClient.builder(tmp.resolve("apt-forward")).keyring(keyring)
            .source(upstream.baseUri(), "stable", "main", "check-valid-until=no").proxy(proxy)
            .timeout(Duration.ofSeconds(60)).build();
        forward.update();
        assertThat(forward.downloadOnly("foo")).hasSize(1);
        Digest deb = Digest.sha256(g1.deb("foo").sha256());
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (a.storage.builds().entries("ci-7").stream().noneMatch(e -> e.sha256().equals(deb))
            && System.nanoTime() < deadline) {
          Thread.sleep(20); // records are written off the request path; the stored entry decides
        }
        assertThat(a.storage.builds().entries("ci-7")).anyMatch(e -> e.sha256().equals(deb));
      }
      try (InProcessReprox a = new InProcessReprox(tmp.resolve("a"), yamlA, clock, false,
          RocksStorage.builder().path(storeA).clock(clock).build())) {
        assertThat(cli("export", "--server", a.base().toString(), "--repo", "fix", "--at", "20240301T010000Z",
            "-o", tmp.resolve("no-token.bundle").toString())).startsWith("1 ").contains("401");
        assertThat(cli("export", "--server", a.base().toString(), "--token-file", token.toString(), "--label", "ci-8",
            "-o", tmp.resolve("no-label.bundle").toString())).startsWith("2 ").contains("no build label");
        assertThat(cli("export", "--server", a.base().toString(), "--token-file", token.toString(), "--repo", "fix",
            "--at", "20240101T000000Z", "-o", tmp.resolve("unpinned.bundle").toString())).startsWith("1 ")
            .contains("404").contains("no pin of fix covers");
        assertThat(cli("export", "--server", a.base().toString(), "--token-file", token.toString(), "--label",
            "ci-7", "-o", bundle.toString())).startsWith("0 ");
      }
    }
    // The stopped store: the same label, read from the record on disk.
    assertThat(cli("export", "--config", tmp.resolve("a").resolve("reprox.yaml").toString(), "--data",
        tmp.resolve("a").resolve("data").toString(), "--label", "ci-7", "-o", tmp.resolve("data.bundle").toString()))
        .startsWith("0 ").contains("1 pins");
    assertThat(cli("export", "--config", tmp.resolve("a").resolve("reprox.yaml").toString(), "--data",
        tmp.resolve("a").resolve("data").toString(), "--label", "ci-8", "-o", tmp.resolve("none.bundle").toString()))
        .startsWith("2 ").contains("no build label \"ci-8\" recorded");
    // The build's lockfile selects the same pins (export --lockfile): reprox lock writes it from
    // the record, export reads back each (repository, T) it names.
    Path lockfile = tmp.resolve("ci-7.lock.json");
    assertThat(cli("lock", "--config", tmp.resolve("a").resolve("reprox.yaml").toString(), "--data",
        tmp.resolve("a").resolve("data").toString(), "--label", "ci-7", "-o", lockfile.toString())).startsWith("0 ");
    assertThat(cli("export", "--config", tmp.resolve("a").resolve("reprox.yaml").toString(), "--data",
        tmp.resolve("a").resolve("data").toString(), "--lockfile", lockfile.toString(), "-o",
        tmp.resolve("lockfile.bundle").toString())).startsWith("0 ").contains("1 pins");
    Path broken = tmp.resolve("broken.lock.json");
    Files.writeString(broken, "{\"lockfileVersion\": 1, \"repositories\": [\n");
    assertThat(cli("export", "--config", tmp.resolve("a").resolve("reprox.yaml").toString(), "--data",
        tmp.resolve("a").resolve("data").toString(), "--lockfile", broken.toString(), "-o",
        tmp.resolve("broken.bundle").toString())).startsWith("2 ").contains(broken.toString());
    // A SHA256SUMS names paths only: no (repository, T) to select, said with its file and line.
    Path sums = tmp.resolve("SHA256SUMS");
    Files.writeString(sums, "0".repeat(64) + "  pool/main/f/foo/foo_1.0_amd64.deb\n");
    assertThat(cli("export", "--config", tmp.resolve("a").resolve("reprox.yaml").toString(), "--data",
        tmp.resolve("a").resolve("data").toString(), "--lockfile", sums.toString(), "-o",
        tmp.resolve("sums.bundle").toString())).startsWith("2 ").contains(sums + ":1")
        .contains("names no repository or time");
    Storage storeB = MemoryStorage.builder().clock(clock).build();
    try (InProcessReprox b = new InProcessReprox(tmp.resolve("b"), AptReplayIT.yaml(URI.create("http://127.0.0.1:9/"),
        keyring) + "api:\n  admin-token: s3cret\n", clock, true, storeB)) {
      // a changed byte: refused whole over HTTP too
      byte[] tar = unzstd(Files.readAllBytes(bundle));
      byte[] deb = Files.readAllBytes(g1.resolve(g1.deb("foo").poolPath()));
      tar[indexOf(tar, deb) + 100] ^= 0x01;
      Path bad = tmp.resolve("bad.bundle");
      Files.write(bad, zstd(tar));
      assertThat(cli("import", "--server", b.base().toString(), "--token-file", token.toString(), bad.toString()))
          .startsWith("1 ").contains("422").contains("nothing imported");
      assertThat(storeB.stats().blobCount()).isZero();
      assertThat(storeB.pins().list("fix")).isEmpty();

      assertThat(cli("import", "--server", b.base().toString(), bundle.toString())).startsWith("1 ").contains("401");
      assertThat(cli("import", "--server", b.base().toString(), "--token-file", token.toString(), bundle.toString()))
          .startsWith("0 ").contains("pins: 1 added");
      assertThat(cli("import", "--server", b.base().toString(), "--token-file", token.toString(), bundle.toString()))
          .startsWith("0 ").contains("nothing changed");
      List<Path> debs = apt("b", b.base().resolve("fix/" + AT), keyring).downloadOnly("foo");
      assertThat(debs).singleElement().satisfies(d -> assertThat(AptReplayIT.sha256(d)).isEqualTo(g1.deb("foo").sha256()));
    }
  }

  @Test
  void import_oneByteChangedInAPackage_refusedWholeStoreUnchanged() throws Exception {
    Recorded r = record();
    byte[] deb = Files.readAllBytes(r.g1().resolve(r.g1().deb("foo").poolPath()));
    byte[] tar = unzstd(r.bundle());
    int at = indexOf(tar, deb);
    assertThat(at).isPositive();
    tar[at + deb.length / 2] ^= 0x01;
    assertRefusedLeavingStoreEmpty(r, zstd(tar), "sha256:" + r.g1().deb("foo").sha256());
  }

  @Test
  void import_oneByteChangedInTheSignedRoot_refusedWholeStoreUnchanged() throws Exception {
    Recorded r = record();
    byte[] tar = unzstd(r.bundle());
    int at = indexOf(tar, "Suite: stable".getBytes());
    assertThat(at).isPositive();
    tar[at + 7] = 'S'; // "stable" -> "Stable": same length
    assertRefusedLeavingStoreEmpty(r, zstd(tar), "does not have that digest");
  }

  @Test
  void import_changedRootWithAManifestToMatch_refusedByTheSignatureStoreUnchanged() throws Exception {
    Recorded r = record();
    String oldHex = r.g1().inReleaseSha256();
    byte[] forged = r.inRelease().clone();
    int at = indexOf(forged, "Suite: stable".getBytes());
    forged[at + 7] = 'S';
    String newHex = Digest.compute(forged).hex();
    // a consistent forgery: the manifest and the entry name carry the new digest everywhere
    ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
    try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
            new ByteArrayInputStream(unzstd(r.bundle())));
        var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(rewritten)) {
      out.setLongFileMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX);
      for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        byte[] body = in.readAllBytes();
        String name = e.getName();
        if (name.equals("manifest.json")) {
          body = new String(body, java.nio.charset.StandardCharsets.UTF_8).replace(oldHex, newHex)
              .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } else if (name.equals("blobs/" + oldHex)) {
          name = "blobs/" + newHex;
          body = forged;
        }
        var copy = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name);
        copy.setSize(body.length);
        out.putArchiveEntry(copy);
        out.write(body);
        out.closeArchiveEntry();
      }
    }
    assertRefusedLeavingStoreEmpty(r, zstd(rewritten.toByteArray()), "does not verify against the keyring of fix");
  }

  @Test
  void import_oneByteChangedInTheCompressedStream_refusedWholeStoreUnchanged() throws Exception {
    Recorded r = record();
    byte[] bundle = r.bundle().clone();
    bundle[bundle.length * 3 / 4] ^= 0x40;
    assertRefusedLeavingStoreEmpty(r, bundle, "");
  }

  @Test
  void import_truncated_refusedWholeStoreUnchanged() throws Exception {
    Recorded r = record();
    byte[] tar = unzstd(r.bundle());
    byte[] deb = Files.readAllBytes(r.g1().resolve(r.g1().deb("foo").poolPath()));
    // cut inside the last blob: the root and the listing before it were already stored
    byte[] cut = java.util.Arrays.copyOf(tar, indexOf(tar, deb) + deb.length / 2);
    assertRefusedLeavingStoreEmpty(r, zstd(cut), "");
  }

  @Test
  void import_pinConflict_reportedExistingPinKeptRestImported() throws Exception {
    Recorded r = record();
    MutableClock clock = new MutableClock(Instant.now());
    Storage b = MemoryStorage.builder().clock(clock).build();
    Digest other = Digest.compute("another generation".getBytes());
    Pin mine = b.pins().putIfAbsent(Pin.at("fix", ROOT, AT_T, other, Pin.Status.PROVEN, clock.instant()), AT_T);

    BundleImport.Report report = new BundleImport(b, r.formats(), clock).read(new ByteArrayInputStream(r.bundle()));

    assertThat(report.conflicts()).singleElement().asString().contains("fix/" + ROOT).contains(other.toString())
        .contains(r.g1().inReleaseSha256());
    assertThat(report.pinsAdded()).isZero();
    assertThat(b.pins().get("fix", ROOT, AT_T)).contains(mine);
    assertThat(b.pins().list("fix")).containsExactly(mine);
    // the rest is there: the generation, imported, and the package
    assertThat(b.observations().byDigest("fix", ROOT, Digest.sha256(r.g1().inReleaseSha256()))).isPresent();
    assertThat(b.blobs().stat(Digest.sha256(r.g1().deb("foo").sha256()))).isPresent();
  }

  @Test
  void import_twice_secondChangesNothingAndSaysSo() throws Exception {
    Recorded r = record();
    MutableClock clock = new MutableClock(Instant.now());
    Storage b = MemoryStorage.builder().clock(clock).build();
    BundleImport importer = new BundleImport(b, r.formats(), clock);

    BundleImport.Report first = importer.read(new ByteArrayInputStream(r.bundle()));
    List<Pin> pins = b.pins().list("fix");
    var generations = b.observations().generations("fix", ROOT);
    long blobs = b.stats().blobCount();
    clock.advance(Duration.ofHours(1));
    BundleImport.Report second = importer.read(new ByteArrayInputStream(r.bundle()));

    assertThat(first.changed()).isTrue();
    assertThat(first.pinsAdded()).isEqualTo(1);
    assertThat(first.observations()).isPositive();
    assertThat(second.changed()).isFalse();
    assertThat(second.blobsNew()).isZero();
    assertThat(second.blobsPresent()).isEqualTo(first.blobsNew());
    assertThat(second.pinsUnchanged()).isEqualTo(1);
    assertThat(second.conflicts()).isEmpty();
    assertThat(b.pins().list("fix")).isEqualTo(pins);
    assertThat(b.observations().generations("fix", ROOT)).isEqualTo(generations);
    assertThat(b.stats().blobCount()).isEqualTo(blobs);
    assertThat(generations).singleElement().satisfies(g -> {
      assertThat(g.source()).isEqualTo(dev.reprox.storage.Observation.Source.IMPORT);
      assertThat(g.provenAt(AT_T)).isTrue();
    });
  }

  @Test
  void export_tNeverPinned_refusedWithTheReason() throws Exception {
    Recorded r = record();
    assertThat(r.bundle()).isNotEmpty();
    try (Storage empty = MemoryStorage.builder().clock(new MutableClock(Instant.now())).build()) {
      assertThatThrownBy(() -> new BundleExport(empty, r.formats(), java.time.Clock.systemUTC())
          .write(List.of(new BundleExport.Selection("fix", AT_T)), new ByteArrayOutputStream()))
          .isInstanceOf(BundleException.class).hasMessageContaining("no pin of fix covers");
    }
  }

  private void assertRefusedLeavingStoreEmpty(Recorded r, byte[] bundle, String why) throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    Storage b = MemoryStorage.builder().clock(clock).build();
    assertThatThrownBy(() -> new BundleImport(b, r.formats(), clock).read(new ByteArrayInputStream(bundle)))
        .isInstanceOf(BundleException.class).hasMessageContaining("nothing imported").hasMessageContaining(why);
    assertThat(b.stats().blobCount()).isZero();
    assertThat(b.blobs().stat(Digest.sha256(r.g1().inReleaseSha256()))).isEmpty();
    assertThat(b.observations().roots("fix")).isEmpty();
    assertThat(b.pins().list("fix")).isEmpty();
    assertThat(b.paths().lookup("fix", r.g1().deb("foo").poolPath())).isEmpty();
    // and the untouched bundle still imports into that same store
    assertThat(new BundleImport(b, r.formats(), clock).read(new ByteArrayInputStream(r.bundle())).pinsAdded())
        .isEqualTo(1);
  }

  /** apt-get through an in-memory instance A at {@link #AT}, then A's bundle of that T. */
  private Recorded record() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).acquireByHash(true).add("foo", "1.0");
    AptGeneration g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    MutableClock clock = new MutableClock(Instant.now());
    try (StaticServer upstream = StaticServer.serve(repo.root());
        InProcessReprox a = new InProcessReprox(tmp.resolve("a"), AptReplayIT.yaml(upstream.baseUri(), keyring),
            clock, false)) {
      assertThat(apt("a", a.base().resolve("fix/" + AT), keyring).downloadOnly("foo")).hasSize(1);
      HttpResponse<byte[]> root = a.get("fix/" + AT + "/" + ROOT);
      Map<String, Format> formats = formats(AptReplayIT.yaml(upstream.baseUri(), keyring), clock);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      new BundleExport(a.storage, formats, clock).write(List.of(new BundleExport.Selection("fix", AT_T)), out);
      return new Recorded(repo, g1, keyring, root.body(), root.headers().firstValue("X-Reprox-Pin").orElseThrow(),
          out.toByteArray(), formats);
    }
  }

  private Map<String, Format> formats(String yaml, java.time.Clock clock) throws Exception {
    Path config = tmp.resolve("formats.yaml");
    Files.writeString(config, "repositories:\n" + yaml);
    ReproxConfig cfg = ConfigLoader.load(Optional.of(config), Map.of(), new ConfigLoader.Overrides(
        Optional.empty(), Optional.empty(), Optional.empty()));
    return Formats.of(cfg.repositories(), clock);
  }

  private AptClient apt(String name, URI mirror, Path keyring) {
    AptClient apt = AptClient.builder(tmp.resolve("apt-" + name)).keyring(keyring)
        .source(mirror, "stable", "main", "check-valid-until=no").timeout(Duration.ofSeconds(60)).build();
    apt.update();
    return apt;
  }

  /** Runs the CLI; "exit stdout stderr". */
  private static String cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return code + " " + out + " " + err;
  }

  private static byte[] unzstd(byte[] b) throws Exception {
    try (ZstdInputStream in = new ZstdInputStream(new ByteArrayInputStream(b))) {
      return in.readAllBytes();
    }
  }

  private static byte[] zstd(byte[] b) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZstdOutputStream z = new ZstdOutputStream(out)) {
      z.write(b);
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
