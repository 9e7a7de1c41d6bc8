package dev.reprox.server.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lockfile formats {@code reprox prewarm} reads, and the file-and-line errors of each. */
class LockfileReadersTest {
  private static final String A = "a".repeat(64);
  private static final String Q = "Q1" + "B".repeat(27) + "=";
  private static final Instant AT = Instant.parse("2024-03-01T06:00:00Z");

  @TempDir Path dir;

  /** The built-in repositories (debian with its snapshot, alpine, fedora…), as prewarm without --config. */
  private static LockfileReaders.Defaults defaults(Optional<Instant> at) throws Exception {
    return new LockfileReaders.Defaults(Optional.empty(), Optional.empty(), at,
        new UrlMapper(ConfigLoader.builtin().repositories().values(), "dists/bookworm/InRelease"));
  }

  private List<LockEntry> read(String name, String text, Optional<Instant> at) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return LockfileReaders.read(f, defaults(at));
  }

  private String error(String name, String text, Optional<Instant> at) {
    Path f = dir.resolve(name);
    return assertThatThrownBy(() -> {
      Files.writeString(f, text);
      LockfileReaders.read(f, defaults(at));
    }).isInstanceOf(LockfileFormatException.class).actual().getMessage().replace(dir + "/", "");
  }

  @Test
  void apkoLock_packagesByUrlAndQ1_tFromFlag() throws Exception {
    String lock = "{\n  \"version\": \"v1\",\n  \"contents\": {\n    \"packages\": [\n      {\n"
        + "        \"name\": \"busybox\",\n"
        + "        \"url\": \"https://dl-cdn.alpinelinux.org/alpine/v3.19/main/x86_64/busybox-1.36.1-r15.apk\",\n"
        + "        \"checksum\": \"" + Q + "\"\n      }\n    ]\n  }\n}\n";

    assertThat(read("apko.lock.json", lock, Optional.of(AT))).containsExactly(new LockEntry("alpine",
        "v3.19/main/x86_64/APKINDEX.tar.gz", AT, "v3.19/main/x86_64/busybox-1.36.1-r15.apk", null, null, Q, -1,
        dir.resolve("apko.lock.json") + ":7"));
    assertThat(error("apko.lock.json", lock, Optional.empty())).endsWith("apko.lock.json:7: this lockfile names no"
        + " time for https://dl-cdn.alpinelinux.org/alpine/v3.19/main/x86_64/busybox-1.36.1-r15.apk: give --at");
    assertThat(error("apko.lock.json", lock.replace(Q, "sha1-xyz"), Optional.of(AT)))
        .isEqualTo("apko.lock.json:8: package busybox: checksum is not an apk Q1 (Q1 and 28 base64 characters): sha1-xyz");
  }

  @Test
  void rpmsLockYaml_urlChecksumSize_andACorruptChecksumLine() throws Exception {
    String lock = "lockfileVersion: 1\nlockfileVendor: redhat\narches:\n- arch: x86_64\n  packages:\n"
        + "  - url: https://dl.fedoraproject.org/pub/fedora/linux/releases/39/Everything/x86_64/os/Packages/b/bash-5.2.rpm\n"
        + "    repoid: fedora\n    size: 1234\n    checksum: sha256:" + A + "\n    name: bash\n  source: []\n";

    assertThat(read("rpms.lock.yaml", lock, Optional.of(AT))).singleElement().satisfies(e -> {
      assertThat(e.repo()).isEqualTo("fedora");
      assertThat(e.path()).isEqualTo("releases/39/Everything/x86_64/os/Packages/b/bash-5.2.rpm");
      assertThat(e.root()).isEqualTo("releases/39/Everything/x86_64/os/repodata/repomd.xml");
      assertThat(e.sha256()).isEqualTo(A);
      assertThat(e.size()).isEqualTo(1234);
    });
    assertThat(error("rpms.lock.yaml", lock.replace("sha256:" + A, "md5:abc"), Optional.of(AT)))
        .startsWith("rpms.lock.yaml:9: package https://dl.fedoraproject.org/").endsWith(
            ": checksum must be sha256:<64 hex digits>: md5:abc");
  }

  @Test
  void reproEnvLock_debianSnapshotUrlCarriesT_otherSystemsNotSupported() throws Exception {
    String lock = "[container]\nimage = \"debian@sha256:" + A + "\"\n\n[[package]]\nname = \"hello\"\n"
        + "version = \"2.10-3\"\nsystem = \"debian\"\n"
        + "url = \"https://snapshot.debian.org/archive/debian/20240301T060000Z/pool/main/h/hello/hello_2.10-3_amd64.deb\"\n"
        + "sha256 = \"" + A + "\"\n";

    assertThat(read("repro-env.lock", lock, Optional.empty())).containsExactly(new LockEntry("debian",
        "dists/bookworm/InRelease", AT, "pool/main/h/hello/hello_2.10-3_amd64.deb", null, A, null, -1,
        dir.resolve("repro-env.lock") + ":4"));
    assertThat(error("repro-env.lock", lock.replace("\"debian\"", "\"archlinux\""), Optional.empty()))
        .isEqualTo("repro-env.lock:4: package hello: system \"archlinux\" is not supported (reprox prewarm reads"
            + " repro-env's debian and alpine packages)");
    assertThat(error("repro-env.lock", lock.replace("version = \"2.10-3\"", "version = 2.10"), Optional.empty()))
        .isEqualTo("repro-env.lock:6: not key = \"value\": version = 2.10");
  }

  private static final String BUILDINFO = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n"
      + "Format: 1.0\nSource: hello\nBuild-Architecture: amd64\nBuild-Date: Fri, 01 Mar 2024 07:00:00 +0100\n"
      + "Installed-Build-Depends:\n autoconf (= 2.71-3),\n automake (= 1:1.16.5-1.3), libc6:i386 (= 2.36-9),\n"
      + " base-files (= 12.4+deb12u5)\nEnvironment:\n DEB_BUILD_OPTIONS=\"parallel=2\"\n"
      + "-----BEGIN PGP SIGNATURE-----\n\nwnUEARYKAB0FAmXhGoAWIQQ=\n-----END PGP SIGNATURE-----\n";

  private static LockEntry named(String name, String version, String arch, long line, Path file) {
    return new LockEntry("debian", null, AT, null, null, null, null, -1, file + ":" + line,
        new LockEntry.Named(name, version, arch));
  }

  @Test
  void buildinfo_clearsignedArmourStripped_entriesWithEpochAndArch_tFromBuildDate() throws Exception {
    Path f = dir.resolve("hello_2.10-3_amd64.buildinfo");
    Files.writeString(f, BUILDINFO);

    List<LockEntry> read = LockfileReaders.read(f, new LockfileReaders.Defaults(Optional.of("debian"),
        Optional.empty(), Optional.empty(), null));

    assertThat(read).containsExactly(named("autoconf", "2.71-3", "amd64", 9, f),
        named("automake", "1:1.16.5-1.3", "amd64", 10, f), named("libc6", "2.36-9", "i386", 10, f),
        named("base-files", "12.4+deb12u5", "amd64", 11, f));
  }

  @Test
  void buildinfo_corruptEntryOrDate_namesFileAndLine_noRepository_saysGiveRepo() {
    assertThat(error("a.buildinfo", BUILDINFO.replace(" automake (= 1:1.16.5-1.3)", " automake 1.16"),
        Optional.empty())).isEqualTo("a.buildinfo:10: not \"name[:arch] (= version)\": automake 1.16");
    assertThat(error("b.buildinfo", BUILDINFO.replace("Fri, 01 Mar 2024 07:00:00 +0100", "yesterday"),
        Optional.empty())).startsWith("b.buildinfo:7: Build-Date is not an RFC 2822 date");
    assertThat(error("c.buildinfo", BUILDINFO.replace("Build-Date: Fri, 01 Mar 2024 07:00:00 +0100\n", ""),
        Optional.empty())).isEqualTo("c.buildinfo:1: no Build-Date field: the time to resolve the packages at");
    // Only the built-in apt repositories: which one the build used is not guessed.
    assertThat(error("d.buildinfo", BUILDINFO, Optional.empty())).isEqualTo("d.buildinfo:8: a .buildinfo names no"
        + " repository and the configuration adds no apt repository to the built-ins: give --repo");
  }

  @Test
  void reproxLockfile_badHash_namesItsLine() {
    String lock = "{\n  \"lockfileVersion\" : 1,\n  \"repositories\" : [ {\n    \"name\" : \"fix\",\n"
        + "    \"at\" : \"2024-03-01T06:00:00Z\",\n    \"roots\" : [ {\"path\" : \"dists/stable/InRelease\"} ],\n"
        + "    \"packages\" : [ {\n      \"path\" : \"pool/a.deb\",\n      \"sha256\" : \"XYZ\",\n      \"size\" : 1\n"
        + "    } ]\n  } ]\n}\n";

    assertThat(error("reprox.lock.json", lock, Optional.empty()))
        .isEqualTo("reprox.lock.json:9: package pool/a.deb: sha256 must be 64 lower-case hex digits: \"XYZ\"");
    assertThat(error("broken.lock.json", "{\n  \"lockfileVersion\": 1,\n  \"repositories\": [\n}", Optional.empty()))
        .startsWith("broken.lock.json:4: not JSON");
  }

  @Test
  void stream_handsOutEachEntryBeforeTheRestIsRead() throws Exception {
    // A lockfile cut off after its first package: the entry is out before the reader meets the cut.
    String lock = "{\n  \"lockfileVersion\" : 1,\n  \"repositories\" : [ {\n    \"name\" : \"fix\",\n"
        + "    \"at\" : \"2024-03-01T06:00:00Z\",\n    \"roots\" : [ {\"path\" : \"dists/stable/InRelease\"} ],\n"
        + "    \"packages\" : [ {\n      \"path\" : \"pool/a.deb\",\n      \"sha256\" : \"" + A + "\",\n"
        + "      \"size\" : 1\n    }, {\n      \"path\" : \"pool/b.d";
    Path f = dir.resolve("cut.lock.json");
    Files.writeString(f, lock);
    List<LockEntry> got = new java.util.ArrayList<>();

    assertThatThrownBy(() -> LockfileReaders.stream(f, defaults(Optional.empty()), got::add))
        .isInstanceOf(LockfileFormatException.class).hasMessageContaining("cut.lock.json:12: not JSON");
    assertThat(got).containsExactly(new LockEntry("fix", "dists/stable/InRelease", AT, "pool/a.deb", null, A, null,
        1, f + ":8"));
  }

  @Test
  void reproxLockfile_packagesBeforeTheirRepositoryHead_andVersionLast_stillRead() throws Exception {
    String lock = "{\"repositories\": [{\"packages\": [{\"sha256\": \"" + A + "\", \"path\": \"pool/a.deb\"}],\n"
        + "\"roots\": [{\"path\": \"r/InRelease\", \"generation\": \"sha256:" + A + "\"}], \"at\": \"2024-03-01T06:00:00Z\","
        + " \"name\": \"fix\"}],\n\"lockfileVersion\": 1}\n";

    assertThat(read("odd.lock.json", lock, Optional.empty())).containsExactly(new LockEntry("fix", "r/InRelease", AT,
        "pool/a.deb", "sha256:" + A, A, null, -1, dir.resolve("odd.lock.json") + ":1"));
    assertThat(error("v2.lock.json", lock.replace("\"lockfileVersion\": 1", "\"lockfileVersion\": 2"),
        Optional.empty())).isEqualTo("v2.lock.json:3: lockfileVersion 2 is not one this reprox reads (1)");
  }

  @Test
  void sha256sums_streamedLineByLine_commentsAndBlankLinesSkipped() throws Exception {
    Path f = dir.resolve("SHA256SUMS");
    Files.writeString(f, "# repro-get\n\n" + A + "  pool/a.deb\n" + A.toUpperCase() + " *pool/b.deb\n");

    List<LockEntry> got = LockfileReaders.read(f, new LockfileReaders.Defaults(Optional.of("fix"), Optional.empty(),
        Optional.of(AT), null));

    assertThat(got).extracting(LockEntry::path, LockEntry::sha256, LockEntry::source).containsExactly(
        org.assertj.core.groups.Tuple.tuple("pool/a.deb", A, f + ":3"),
        org.assertj.core.groups.Tuple.tuple("pool/b.deb", A, f + ":4"));
  }

  @Test
  void reproxLockfile_oddShapes_skippedOrNamed_neverMisread() throws Exception {
    // packages null in one repository (skipped, the fields after it still read), a string where a
    // package object belongs (named: it has no path), nested values in unknown fields (skipped).
    String lock = "{\"lockfileVersion\": 1, \"extra\": {\"a\": [1, {\"b\": 2}]}, \"repositories\": [\n"
        + " {\"name\": \"empty\", \"packages\": null, \"at\": \"2024-03-01T06:00:00Z\", \"roots\": [{\"path\": \"r\"}]},\n"
        + " {\"name\": \"fix\", \"at\": \"2024-03-01T06:00:00Z\", \"roots\": [{\"path\": \"r\"}], \"packages\": [\n"
        + "  {\"path\": \"pool/a.deb\", \"sha256\": \"" + A + "\", \"x\": {\"y\": [1]}}]}]}\n";

    assertThat(read("odd.lock.json", lock, Optional.empty())).extracting(LockEntry::repo, LockEntry::path)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("fix", "pool/a.deb"));
    assertThat(error("str.lock.json", lock.replace("\"packages\": null", "\"packages\": [\"pool/b.deb\"]"),
        Optional.empty())).isEqualTo("str.lock.json:0: package without a path: sha256 must be 64 lower-case hex"
            + " digits: ");
  }
}
