package dev.reprox.server.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.testkit.apt.AptClient;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.apt.CommandResult;
import dev.reprox.testkit.http.StaticServer;
import dev.reprox.server.testing.InProcessReprox;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real apt-get through reprox: record G1 and G2, stop the upstream, replay each T exactly. */
class AptReplayIT {
  private static final Instant T1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final Instant T2 = Instant.parse("2024-03-02T12:00:00Z");
  private static final String AT_T1 = "@20240301T010000Z";
  private static final String AT_T2 = "@20240302T130000Z";
  private static final String BEFORE_G1 = "@20240201T000000Z";

  @TempDir
  Path tmp;

  @Test
  void aptGet_replaysT1AndT2WithUpstreamStopped_identicalBytesAndStablePins() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).acquireByHash(true).add("foo", "1.0");
    AptGeneration g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    MutableClock clock = new MutableClock(Instant.now());
    try (StaticServer upstream = StaticServer.serve(repo.root());
        InProcessReprox reprox = new InProcessReprox(tmp.resolve("reprox"), yaml(upstream.baseUri(), keyring), clock,
            false)) {
      // 1. G1 through /fix/@T1/
      List<Path> first = updated("a", reprox.base().resolve("fix/" + AT_T1), keyring).downloadOnly("foo");
      assertThat(first).singleElement().satisfies(d -> assertThat(sha256(d)).isEqualTo(g1.deb("foo").sha256()));
      HttpResponse<byte[]> inRelease1 = reprox.get("fix/" + AT_T1 + "/dists/stable/InRelease");
      assertThat(inRelease1.headers().firstValue("X-Reprox-Pin")).hasValue("proven");
      assertThat(inRelease1.headers().firstValue("X-Reprox-Generation")).hasValue("sha256:" + g1.inReleaseSha256());
      assertThat(inRelease1.headers().firstValue("Cache-Control")).hasValueSatisfying(v -> assertThat(v).contains("immutable"));
      assertThat(inRelease1.headers().firstValue("Last-Modified")).hasValue("Fri, 01 Mar 2024 00:00:00 GMT");

      // Strict policy before the first generation: 503 with the reason, nothing pinned.
      HttpResponse<byte[]> strict = reprox.get("fixstrict/" + BEFORE_G1 + "/dists/stable/InRelease");
      assertThat(strict.statusCode()).as(new String(strict.body())).isEqualTo(503);

      // 2. the upstream moves to G2; a live client observes it
      AptGeneration g2 = repo.remove("foo").add("foo", "2.0").date(T2).publish();
      clock.advance(Duration.ofMinutes(2)); // past root-ttl: the live root is revalidated
      List<Path> live = updated("b", reprox.base().resolve("fix/"), keyring).downloadOnly("foo");
      assertThat(live).singleElement().satisfies(d -> assertThat(sha256(d)).isEqualTo(g2.deb("foo").sha256()));

      // 3. upstream gone: T1 is G1 byte for byte, T2 is G2, the T1 pin is unchanged
      upstream.stop();
      List<Path> replay1 = updated("c", reprox.base().resolve("fix/" + AT_T1), keyring).downloadOnly("foo");
      assertThat(replay1).singleElement().satisfies(d -> {
        assertThat(d.getFileName()).hasToString("foo_1.0_amd64.deb");
        assertThat(sha256(d)).isEqualTo(g1.deb("foo").sha256());
      });
      List<Path> replay2 = updated("d", reprox.base().resolve("fix/" + AT_T2), keyring).downloadOnly("foo");
      assertThat(replay2).singleElement().satisfies(d -> assertThat(sha256(d)).isEqualTo(g2.deb("foo").sha256()));
      assertThat(reprox.get("fix/" + AT_T1 + "/dists/stable/InRelease").body()).isEqualTo(inRelease1.body());

      // best-effort before G1: the earliest generation, marked first-use
      HttpResponse<byte[]> early = reprox.get("fix/" + BEFORE_G1 + "/dists/stable/InRelease");
      assertThat(early.statusCode()).isEqualTo(200);
      assertThat(early.headers().firstValue("X-Reprox-Pin")).hasValue("first-use");
      assertThat(Digest.compute(early.body()).hex()).isEqualTo(g1.inReleaseSha256());

      // the read API lists both generations
      String generations = new String(reprox.get("-/api/repos/fix/generations?root=dists/stable/InRelease").body());
      assertThat(generations).contains(g1.inReleaseSha256()).contains(g2.inReleaseSha256());
    }
  }

  @Test
  void aptGet_tamperedDebThenTamperedPackages_failsNothingStoredCounted() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).acquireByHash(true).add("foo", "1.0");
    repo.publish();
    repo.tamperDeb("foo");
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    MutableClock clock = new MutableClock(Instant.now());
    try (StaticServer upstream = StaticServer.serve(repo.root());
        InProcessReprox reprox = new InProcessReprox(tmp.resolve("reprox"), yaml(upstream.baseUri(), keyring), clock,
            false)) {
      AptGeneration g1 = repo.current();
      AptClient apt = client("a", reprox.base().resolve("fix/"), keyring);
      apt.update();
      CommandResult download = apt.tryDownloadOnly("foo");
      assertThat(download.ok()).as(download.describe()).isFalse();
      assertThat(apt.archives().resolve("foo_1.0_amd64.deb")).doesNotExist();
      Digest tamperedDeb = Digest.compute(Files.readAllBytes(g1.resolve(g1.deb("foo").poolPath())));
      assertThat(reprox.storage.blobs().stat(tamperedDeb)).isEmpty();
      assertThat(reprox.storage.blobs().stat(Digest.sha256(g1.deb("foo").sha256()))).isEmpty();

      AptGeneration g2 = repo.add("foo", "2.0").date(T2).publish();
      repo.tamperPackages();
      clock.advance(Duration.ofMinutes(2));
      CommandResult update = client("b", reprox.base().resolve("fix/"), keyring).tryUpdate();
      // apt only warns about index files it could not get; reprox cut every wrong one
      assertThat(update.output()).as(update.describe()).contains("Failed to fetch")
          .contains("dists/stable/main/binary-amd64/Packages");
      Digest tamperedXz = Digest.compute(Files.readAllBytes(g2.resolve("dists/stable/main/binary-amd64/Packages.xz")));
      assertThat(reprox.storage.blobs().stat(tamperedXz)).isEmpty();
      assertThat(reprox.storage.blobs().stat(
          Digest.sha256(g2.file("dists/stable/main/binary-amd64/Packages.xz").sha256()))).isEmpty();

      String metrics = reprox.metrics();
      assertThat(metrics).containsPattern("reprox_integrity_failures_total\\{[^}]*repo=\"fix\"[^}]*\\} [1-9]");
      // a fresh request tries the upstream again (nothing wrong was kept) and is cut again
      org.assertj.core.api.Assertions.assertThatThrownBy(
          () -> reprox.get("fix/dists/stable/main/binary-amd64/Packages.xz")).isInstanceOf(java.io.IOException.class);
    }
  }

  static String yaml(URI upstream, Path keyring) {
    String u = upstream.toString().replaceAll("/$", "");
    return "  fix:\n    format: apt\n    upstream: " + u + "\n    keyring: " + keyring + "\n    root-ttl: 60s\n"
        + "  fixstrict:\n    format: apt\n    upstream: " + u + "\n    keyring: " + keyring + "\n    pinning: strict\n";
  }

  private AptClient updated(String name, URI mirror, Path keyring) {
    AptClient apt = client(name, mirror, keyring);
    apt.update();
    return apt;
  }

  private AptClient client(String name, URI mirror, Path keyring) {
    return AptClient.builder(tmp.resolve("apt-" + name)).keyring(keyring)
        .source(mirror, "stable", "main", "check-valid-until=no").timeout(Duration.ofSeconds(60)).build();
  }

  static String sha256(Path file) throws java.io.IOException {
    return Digest.compute(Files.readAllBytes(file)).hex();
  }
}
