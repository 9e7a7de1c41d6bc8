package dev.reprox.testkit.apt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.reprox.testkit.http.StaticServer;
import dev.reprox.testkit.pgp.SigningKey;

/** The fixture repository is good enough for the real apt-get, with no reprox in between. */
class AptRepoBuilderIT {

  private static final Instant T1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final Instant T2 = Instant.parse("2024-03-02T12:00:00Z");

  @TempDir
  Path tmp;

  @Test
  void aptGet_downloadsG1ThenFollowsG2_identicalBytes() throws IOException {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).add("foo", "1.0");
    AptGeneration g1 = repo.publish();
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      AptClient apt = client(repo, upstream, "apt");

      apt.update();
      List<Path> first = apt.downloadOnly("foo");

      assertThat(first).singleElement().satisfies(deb -> {
        assertThat(deb.getFileName()).hasToString("foo_1.0_amd64.deb");
        assertThat(sha256(deb)).isEqualTo(g1.deb("foo").sha256());
      });
      assertThat(upstream.requestsFor(g1.inRelease())).isNotEmpty();
      assertThat(upstream.requests()).anySatisfy(r -> assertThat(r.path()).contains("/by-hash/SHA256/"));

      AptGeneration g2 = repo.remove("foo").add("foo", "2.0").date(T2).publish();
      assertThat(repo.root().resolve(g1.deb("foo").poolPath())).doesNotExist();
      apt.update();
      List<Path> second = apt.downloadOnly("foo");

      assertThat(second).singleElement().satisfies(deb -> {
        assertThat(deb.getFileName()).hasToString("foo_2.0_amd64.deb");
        assertThat(sha256(deb)).isEqualTo(g2.deb("foo").sha256());
      });
      assertThat(g2.inReleaseSha256()).isNotEqualTo(g1.inReleaseSha256());
    }
  }

  @Test
  void aptGet_tamperedPackages_updateFailsWithHashMismatch() {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).add("foo", "1.0");
    AptGeneration g1 = repo.publish();
    long size = g1.file("dists/stable/main/binary-amd64/Packages.xz").size();
    repo.tamperPackages();
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      CommandResult update = client(repo, upstream, "apt").tryUpdate();

      assertThat(update.ok()).as(update.describe()).isFalse();
      assertThat(update.output()).as(update.describe()).containsIgnoringCase("Hash Sum mismatch");
      assertThat(repo.root().resolve("dists/stable/main/binary-amd64/Packages.xz")).hasSize(size);
    }
  }

  @Test
  void aptGet_tamperedDeb_downloadFails() {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).add("foo", "1.0");
    repo.publish();
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      AptClient apt = client(repo, upstream, "apt");
      apt.update();
      repo.tamperDeb("foo");

      CommandResult download = apt.tryDownloadOnly("foo");

      assertThat(download.ok()).as(download.describe()).isFalse();
      assertThat(download.output()).as(download.describe()).containsIgnoringCase("Hash Sum mismatch");
      assertThat(apt.archives().resolve("foo_1.0_amd64.deb")).doesNotExist();
    }
  }

  @Test
  void aptGet_rsaKeyViaReleaseGpg_verifies() throws IOException {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1)
        .signingKey(SigningKey.rsa3072("Testkit RSA <rsa@reprox.invalid>"))
        .add(DebPackage.of("libbar1", "1:2.0-1").withPayloadSize(200_000));
    AptGeneration g1 = repo.publish();
    // Without InRelease apt falls back to Release + Release.gpg: the detached signature path.
    Files.delete(repo.root().resolve(g1.inRelease()));
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      AptClient apt = client(repo, upstream, "apt");
      apt.update();
      List<Path> debs = apt.downloadOnly("libbar1");

      assertThat(upstream.requestsFor("dists/stable/Release.gpg")).isNotEmpty();
      assertThat(g1.deb("libbar1").poolPath()).isEqualTo("pool/main/libb/libbar1/libbar1_2.0-1_amd64.deb");
      assertThat(debs).singleElement().satisfies(deb -> assertThat(sha256(deb)).isEqualTo(g1.deb("libbar1").sha256()));
    }
  }

  @Test
  void aptGet_keyringWithoutSigner_updateFails() {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).add("foo", "1.0");
    repo.publish();
    Path otherKeyring = writeKeyring(SigningKey.ed25519("Stranger <x@reprox.invalid>"), tmp.resolve("other.gpg"));
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      CommandResult update = AptClient.builder(tmp.resolve("apt")).keyring(otherKeyring)
          .source(upstream.baseUri(), "stable", "main").build().tryUpdate();

      assertThat(update.output()).as(update.describe()).contains("NO_PUBKEY");
      assertThat(update.ok()).as(update.describe()).isFalse();
    }
  }

  @Test
  void publish_twoBuilders_identicalDebsAndReleaseListsServedBytes() throws IOException {
    AptGeneration a = AptRepoBuilder.in(tmp.resolve("a")).date(T1).add("foo", "1.0").publish();
    AptGeneration b = AptRepoBuilder.in(tmp.resolve("b")).date(T1).add("foo", "1.0").publish();

    assertThat(b.deb("foo").sha256()).isEqualTo(a.deb("foo").sha256());
    String release = Files.readString(a.resolve("dists/stable/Release"));
    AptGeneration.RepoFile xz = a.file("dists/stable/main/binary-amd64/Packages.xz");
    assertThat(release).contains("Date: Fri, 01 Mar 2024 00:00:00 UTC", "Acquire-By-Hash: yes",
        " " + xz.sha256() + " " + String.format("%16d", xz.size()) + " main/binary-amd64/Packages.xz");
    assertThat(sha256(a.resolve("dists/stable/main/binary-amd64/by-hash/SHA256/" + xz.sha256())))
        .isEqualTo(xz.sha256());
  }

  private AptClient client(AptRepoBuilder repo, StaticServer upstream, String dir) {
    Path keyring = repo.writeKeyring(tmp.resolve("archive-keyring.gpg"));
    return AptClient.builder(tmp.resolve(dir)).keyring(keyring)
        .source(upstream.baseUri(), repo.suite(), repo.component()).build();
  }

  private static Path writeKeyring(SigningKey key, Path file) {
    try {
      return key.writeKeyring(file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static String sha256(Path file) {
    try {
      return AptRepoBuilder.hex("SHA-256", Files.readAllBytes(file));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
