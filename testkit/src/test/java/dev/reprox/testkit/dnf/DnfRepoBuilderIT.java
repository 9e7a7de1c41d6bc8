package dev.reprox.testkit.dnf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.reprox.testkit.apt.CommandResult;
import dev.reprox.testkit.http.StaticServer;

/** The fixture repository is good enough for the real dnf with gpgcheck and repo_gpgcheck, no reprox in between. */
class DnfRepoBuilderIT {

  private static final Instant T1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final Instant T2 = Instant.parse("2024-03-02T12:00:00Z");

  @TempDir
  Path tmp;

  @Test
  void dnf_installsG1ThenG2_headersMatchBuilder() throws Exception {
    try (DnfRepoBuilder repo = DnfRepoBuilder.in(tmp.resolve("repo")).date(T1).add("foo", "1.0");
        StaticServer upstream = StaticServer.serve(tmp.resolve("repo"))) {
      DnfGeneration g1 = repo.publish();
      Path key = repo.writePublicKey(tmp.resolve("RPM-GPG-KEY-testkit"));
      try (DnfClient dnf = client(upstream, key, "dnf")) {
        dnf.install("foo");

        assertThat(dnf.installed()).contains(g1.rpm("foo").installedLine())
            .anySatisfy(l -> assertThat(l).startsWith("gpg-pubkey-"));
        assertThat(upstream.requestsFor("repodata/repomd.xml.asc")).isNotEmpty();
        assertThat(upstream.requestsFor(g1.rpm("foo").path())).hasSize(1);
      }
      DnfGeneration g2 = repo.remove("foo").add("foo", "2.0").add("bar", "1.0").date(T2).publish();
      assertThat(g1.resolve(g1.rpm("foo").path())).doesNotExist();
      assertThat(g2.repomdSha256()).isNotEqualTo(g1.repomdSha256());
      assertThat(Files.readString(g2.resolve(DnfGeneration.REPOMD))).contains("<revision>1709380800</revision>");
      // One transaction per installroot: see DnfClient on consecutive transactions.
      try (DnfClient dnf = client(upstream, key, "dnf2")) {
        dnf.install("foo", "bar");

        assertThat(dnf.installed()).contains(g2.rpm("foo").installedLine(), g2.rpm("bar").installedLine())
            .noneMatch(l -> l.startsWith("foo-1.0"));
      }
      assertThat(gpgAgentsUnder(tmp.toString())).as("gpg-agents left by dnf").isZero();
    }
    assertThat(gpgAgentsUnder("/tmp/rpg")).as("gpg-agents of builder homes").isZero();
  }

  @Test
  void dnf_tamperedRepomd_installFailsNothingInstalled() {
    try (DnfRepoBuilder repo = DnfRepoBuilder.in(tmp.resolve("repo")).date(T1).add("foo", "1.0");
        StaticServer upstream = StaticServer.serve(tmp.resolve("repo"))) {
      DnfGeneration g1 = repo.publish();
      Path key = repo.writePublicKey(tmp.resolve("key.asc"));
      repo.tamperRepomd();
      try (DnfClient dnf = client(upstream, key, "dnf")) {
        CommandResult install = dnf.tryInstall("foo");

        assertThat(install.ok()).as(install.describe()).isFalse();
        assertThat(install.output()).as(install.describe()).containsIgnoringCase("signature");
        assertThat(dnf.installed()).noneMatch(l -> l.startsWith("foo-"));
        assertThat(upstream.requestsFor(g1.rpm("foo").path())).isEmpty();
      }
    }
  }

  @Test
  void dnf_tamperedRpm_installFails() {
    try (DnfRepoBuilder repo = DnfRepoBuilder.in(tmp.resolve("repo")).date(T1).add("foo", "1.0");
        StaticServer upstream = StaticServer.serve(tmp.resolve("repo"))) {
      repo.publish();
      Path key = repo.writePublicKey(tmp.resolve("key.asc"));
      repo.tamperRpm("foo");
      try (DnfClient dnf = client(upstream, key, "dnf")) {
        CommandResult install = dnf.tryInstall("foo");

        assertThat(install.ok()).as(install.describe()).isFalse();
        assertThat(dnf.installed()).noneMatch(l -> l.startsWith("foo-"));
      }
    }
  }

  @Test
  void publish_sameInputs_sameRepodataAndHeaders() throws Exception {
    try (DnfRepoBuilder repo = DnfRepoBuilder.in(tmp.resolve("repo")).date(T1).add("foo", "1.0")) {
      DnfGeneration first = repo.publish();
      DnfGeneration again = repo.publish();

      assertThat(again.files()).isEqualTo(first.files());
      assertThat(first.files()).containsKey("repodata/repomd.xml.asc")
          .anySatisfy((path, f) -> assertThat(path).endsWith("-primary.xml.gz").startsWith("repodata/" + f.sha256()));
      String header = first.rpm("foo").headerSha256();
      // The header digest excludes the signature header, so a rebuild with another key keeps it.
      try (DnfRepoBuilder other = DnfRepoBuilder.in(tmp.resolve("other")).date(T1).add("foo", "1.0")) {
        DnfGeneration o = other.publish();
        assertThat(o.rpm("foo").headerSha256()).isEqualTo(header);
        assertThat(other.fingerprint()).isNotEqualTo(repo.fingerprint());
      }
      assertThat(new String(repo.armoredPublicKey())).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----");
    }
  }

  private DnfClient client(StaticServer upstream, Path key, String dir) {
    return DnfClient.builder(tmp.resolve(dir)).repo("fixture", upstream.baseUri()).gpgKey(key).build();
  }

  /** gpg-agents whose arguments name a path starting with {@code prefix}. */
  private static long gpgAgentsUnder(String prefix) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().command().map(c -> c.endsWith("/gpg-agent")).orElse(false))
        .filter(p -> p.info().arguments().map(a -> List.of(a).stream().anyMatch(s -> s.startsWith(prefix)))
            .orElse(false))
        .count();
  }
}
