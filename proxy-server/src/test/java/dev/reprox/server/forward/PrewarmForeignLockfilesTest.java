package dev.reprox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.cli.Main;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import dev.reprox.storage.rocks.RocksStorage;
import dev.reprox.testkit.apk.ApkGeneration;
import dev.reprox.testkit.apk.ApkKey;
import dev.reprox.testkit.apk.ApkRepoBuilder;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.dnf.DnfGeneration;
import dev.reprox.testkit.dnf.DnfRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reprox prewarm} of other tools' lockfiles (issue 11), end to end on an empty store
 * ({@code --data}): {@code apko.lock.json} (apk), {@code rpms.lock.yaml} (dnf),
 * {@code repro-env.lock} (Debian and Alpine; an Arch Linux package is a "not supported" line, not
 * a failure of the others) and repro-get's {@code SHA256SUMS} ({@code --repo --at}), each written
 * by the test from signed testkit repositories (throwaway keys). Each first names one package
 * with a wrong hash: that one is a hash mismatch naming the lockfile's line and both hashes, and
 * is not stored while the other is; with the hash corrected, every package it names is stored.
 * Reading and corrupt lines are {@link dev.reprox.server.lock.LockfileReadersTest}'s; reprox's own
 * lockfile is {@link PrewarmTest}'s.
 */
class PrewarmForeignLockfilesTest {
  private static final Instant DATE = Instant.parse("2024-03-01T00:00:00Z");
  private static final String T = "20240301T060000Z";
  private static final String WRONG = "0".repeat(64);

  @TempDir Path tmp;

  private AptGeneration deb;
  private ApkGeneration apk;
  private StaticServer aptUp;
  private StaticServer apkUp;
  private Path config;
  private Path data;

  @BeforeEach
  void repositories() throws Exception {
    AptRepoBuilder apt = AptRepoBuilder.in(tmp.resolve("apt")).date(DATE).add("foo", "1.0").add("bar", "2.0");
    deb = apt.publish();
    Path aptKey = apt.writeKeyring(tmp.resolve("apt.gpg"));
    ApkRepoBuilder alpine = ApkRepoBuilder.in(tmp.resolve("apk")).key(ApkKey.generate("t.rsa.pub")).date(DATE)
        .add("foo", "1.0-r0").add("bar", "2.0-r0");
    Path apkKeys = Files.createDirectories(tmp.resolve("apk-keys"));
    alpine.writePublicKey(apkKeys);
    apk = alpine.publish();
    aptUp = StaticServer.serve(apt.root());
    apkUp = StaticServer.serve(alpine.root());
    config = tmp.resolve("reprox.yaml");
    Files.writeString(config, "repositories:\n"
        + "  debfix:\n    format: apt\n    upstream: " + base(aptUp) + "\n    keyring: " + aptKey + "\n"
        + "  apkfix:\n    format: apk\n    upstream: " + base(apkUp) + "\n    keyring: " + apkKeys + "\n");
    data = tmp.resolve("data");
  }

  @AfterEach
  void stop() {
    aptUp.close();
    apkUp.close();
  }

  private static String base(StaticServer s) {
    return s.baseUri().toString().replaceAll("/$", "");
  }

  record Run(int code, String out, String err) {}

  private Run prewarm(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 5];
    System.arraycopy(new String[] {"prewarm", "--data", data.toString(), "--config", config.toString()}, 0, all, 0, 5);
    System.arraycopy(args, 0, all, 5, args.length);
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), all);
    return new Run(code, out.toString(), err.toString());
  }

  private boolean stored(String sha256) throws Exception {
    try (Storage store = RocksStorage.builder().path(data.resolve("store")).readOnly(true).build()) {
      return store.blobs().stat(Digest.sha256(sha256)).isPresent();
    }
  }

  /** The first run: one stored, one mismatch named by line with both hashes and not stored. */
  private void firstRunOneWrongHash(Run run, String lockfileLine, String listed, String wrong, String wrongSha256,
      String rightSha256) throws Exception {
    assertThat(run.code()).as(run.out() + run.err()).isEqualTo(1);
    assertThat(run.out()).containsPattern("stored +1\\n").containsPattern("hash mismatch +1\\n");
    assertThat(run.err()).contains(lockfileLine + ": ").contains(listed).contains(wrong);
    assertThat(stored(wrongSha256)).as("the package whose hash disagrees is not stored").isFalse();
    assertThat(stored(rightSha256)).isTrue();
  }

  private void secondRunEverythingStored(Run run, String... sha256s) throws Exception {
    assertThat(run.code()).as(run.out() + run.err()).isEqualTo(0);
    assertThat(run.out()).containsPattern("stored +1\\n").containsPattern("already present +1\\n");
    for (String sha : sha256s) {
      assertThat(stored(sha)).isTrue();
    }
  }

  @Test
  void apkoLock_everyPackageStoredAndVerified_wrongQ1NamesLineAndBoth() throws Exception {
    ApkGeneration.BuiltApk foo = apk.apk("foo");
    ApkGeneration.BuiltApk bar = apk.apk("bar");
    String wrongQ1 = "Q1" + "A".repeat(27) + "=";
    String lock = "{\n  \"version\": \"v1\",\n  \"contents\": {\n    \"packages\": [\n"
        + "      {\n        \"name\": \"foo\",\n        \"url\": \"" + base(apkUp) + "/" + foo.path() + "\",\n"
        + "        \"checksum\": \"" + foo.q1() + "\"\n      },\n"
        + "      {\n        \"name\": \"bar\",\n        \"url\": \"" + base(apkUp) + "/" + bar.path() + "\",\n"
        + "        \"checksum\": \"" + wrongQ1 + "\"\n      }\n    ]\n  }\n}\n";
    Path file = tmp.resolve("apko.lock.json");
    Files.writeString(file, lock);

    firstRunOneWrongHash(prewarm("--at", T, file.toString()), file + ":12", bar.q1(), wrongQ1, bar.sha256(),
        foo.sha256());
    Files.writeString(file, lock.replace(wrongQ1, bar.q1()));
    secondRunEverythingStored(prewarm("--at", T, file.toString()), foo.sha256(), bar.sha256());
  }

  @Test
  void rpmsLockYaml_everyPackageStoredAndVerified_wrongChecksumNamesLineAndBoth() throws Exception {
    try (DnfRepoBuilder dnf = DnfRepoBuilder.in(tmp.resolve("dnf")).date(DATE).add("foo", "1.0").add("bar", "2.0")) {
      DnfGeneration g = dnf.publish();
      Path key = dnf.writePublicKey(tmp.resolve("RPM-GPG-KEY"));
      try (StaticServer dnfUp = StaticServer.serve(dnf.root())) {
        Files.writeString(config, Files.readString(config) + "  dnffix:\n    format: dnf\n    upstream: " + base(dnfUp)
            + "\n    keyring: " + key + "\n");
        DnfGeneration.BuiltRpm foo = g.rpm("foo");
        DnfGeneration.BuiltRpm bar = g.rpm("bar");
        String lock = "lockfileVersion: 1\nlockfileVendor: redhat\narches:\n- arch: x86_64\n  packages:\n"
            + "  - url: " + base(dnfUp) + "/" + foo.path() + "\n    repoid: fix\n    size: " + foo.size() + "\n"
            + "    checksum: sha256:" + foo.sha256() + "\n    name: foo\n"
            + "  - url: " + base(dnfUp) + "/" + bar.path() + "\n    repoid: fix\n    size: " + bar.size() + "\n"
            + "    checksum: sha256:" + WRONG + "\n    name: bar\n  source: []\n";
        Path file = tmp.resolve("rpms.lock.yaml");
        Files.writeString(file, lock);

        firstRunOneWrongHash(prewarm("--at", T, file.toString()), file + ":11", bar.sha256(), WRONG, bar.sha256(),
            foo.sha256());
        Files.writeString(file, lock.replace(WRONG, bar.sha256()));
        secondRunEverythingStored(prewarm("--at", T, file.toString()), foo.sha256(), bar.sha256());
      }
    }
  }

  @Test
  void reproEnvLock_debianAndAlpineStored_archLinuxIsANotSupportedLine() throws Exception {
    String lock = "[container]\nimage = \"debian@sha256:" + WRONG + "\"\n\n"
        + "[[package]]\nname = \"foo\"\nversion = \"1.0\"\nsystem = \"debian\"\n"
        + "url = \"" + base(aptUp) + "/" + deb.deb("foo").poolPath() + "\"\nsha256 = \"" + WRONG + "\"\n\n"
        + "[[package]]\nname = \"bar\"\nversion = \"2.0-r0\"\nsystem = \"alpine\"\n"
        + "url = \"" + base(apkUp) + "/" + apk.apk("bar").path() + "\"\nsha256 = \"" + apk.apk("bar").sha256()
        + "\"\n\n"
        + "[[package]]\nname = \"pacman\"\nversion = \"6.0.2-9\"\nsystem = \"archlinux\"\n"
        + "url = \"https://archive.archlinux.org/packages/p/pacman/pacman-6.0.2-9-x86_64.pkg.tar.zst\"\n"
        + "sha256 = \"" + "1".repeat(64) + "\"\n";
    Path file = tmp.resolve("repro-env.lock");
    Files.writeString(file, lock);

    Run first = prewarm("--at", T, file.toString());

    assertThat(first.err()).contains(file + ":18: package pacman: system \"archlinux\" is not supported");
    assertThat(first.out()).containsPattern("not supported +1\\n").containsPattern("total +3\\n");
    firstRunOneWrongHash(first, file + ":4", deb.deb("foo").sha256(), WRONG, deb.deb("foo").sha256(),
        apk.apk("bar").sha256());
    Files.writeString(file, lock.replace(WRONG + "\"\n\n", deb.deb("foo").sha256() + "\"\n\n"));
    Run second = prewarm("--at", T, file.toString());
    assertThat(second.code()).as("the Arch package is still missing").isEqualTo(1);
    assertThat(second.out()).containsPattern("stored +1\\n").containsPattern("already present +1\\n")
        .containsPattern("not supported +1\\n");
    assertThat(stored(deb.deb("foo").sha256())).isTrue();
  }

  @Test
  void reproEnvLock_alpineWrongSha256_listingNamesByQ1_mismatchNamesBothAndNothingStored() throws Exception {
    ApkGeneration.BuiltApk foo = apk.apk("foo");
    ApkGeneration.BuiltApk bar = apk.apk("bar");
    String lock = "[[package]]\nname = \"bar\"\nversion = \"2.0-r0\"\nsystem = \"alpine\"\n"
        + "url = \"" + base(apkUp) + "/" + bar.path() + "\"\nsha256 = \"" + WRONG + "\"\n\n"
        + "[[package]]\nname = \"foo\"\nversion = \"1.0-r0\"\nsystem = \"alpine\"\n"
        + "url = \"" + base(apkUp) + "/" + foo.path() + "\"\nsha256 = \"" + foo.sha256() + "\"\n";
    Path file = tmp.resolve("repro-env.lock");
    Files.writeString(file, lock);

    // The APKINDEX names bar by its Q1 only: the lockfile's SHA-256 is checked by the fill's
    // commit, so the bytes that match the Q1 but not the lockfile are fetched and not stored.
    Run first = prewarm("--at", T, file.toString());

    firstRunOneWrongHash(first, file + ":1", bar.sha256(), WRONG, bar.sha256(), foo.sha256());
    assertThat(first.err()).as("the listing's own hash too").contains(bar.q1());
    Files.writeString(file, lock.replace(WRONG, bar.sha256()));
    secondRunEverythingStored(prewarm("--at", T, file.toString()), foo.sha256(), bar.sha256());
  }

  @Test
  void sha256sums_repoAndAtFromFlags_everyPackageStoredAndVerified_wrongHashNamesLineAndBoth() throws Exception {
    String sums = "# repro-get\n" + deb.deb("foo").sha256() + "  " + deb.deb("foo").poolPath() + "\n"
        + WRONG + "  " + deb.deb("bar").poolPath() + "\n";
    Path file = tmp.resolve("SHA256SUMS");
    Files.writeString(file, sums);

    firstRunOneWrongHash(prewarm("--repo", "debfix", "--at", T, file.toString()), file + ":3",
        deb.deb("bar").sha256(), WRONG, deb.deb("bar").sha256(), deb.deb("foo").sha256());
    assertThat(aptUp.requestsFor("/" + deb.deb("bar").poolPath())).as("nothing fetched for it").isEmpty();
    Files.writeString(file, sums.replace(WRONG, deb.deb("bar").sha256()));
    secondRunEverythingStored(prewarm("--repo", "debfix", "--at", T, file.toString()), deb.deb("foo").sha256(),
        deb.deb("bar").sha256());
  }
}
