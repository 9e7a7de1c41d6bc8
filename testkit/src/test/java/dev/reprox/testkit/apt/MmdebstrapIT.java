package dev.reprox.testkit.apt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.testkit.process.Processes;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.reprox.testkit.http.StaticServer;

/** mmdebstrap's extract variant works against a fixture repository and is reproducible. */
class MmdebstrapIT {

  @TempDir
  Path tmp;

  @Test
  void extract_fixturePackages_tarballReproducible() {
    assertThat(Mmdebstrap.installed()).as("mmdebstrap must be installed (apt-get install mmdebstrap)").isTrue();
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(Instant.parse("2024-03-01T00:00:00Z"))
        .add("foo", "1.0").add(DebPackage.of("bar", "2.0").withPayloadSize(100_000));
    repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("archive-keyring.gpg"));
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      Path first = Mmdebstrap.builder().mirror(upstream.baseUri()).keyring(keyring)
          .include("foo", "bar").output(tmp.resolve("first.tar")).run();
      upstream.clearRequests();
      Path second = Mmdebstrap.builder().mirror(upstream.baseUri()).keyring(keyring)
          .include("foo", "bar").output(tmp.resolve("second.tar")).run();

      assertThat(upstream.requestsEndingWith(".deb")).hasSize(2);
      assertThat(AptRepoBuilderIT.sha256(second)).isEqualTo(AptRepoBuilderIT.sha256(first));
      CommandResult listing = Processes.run(java.util.List.of("tar", "-tf", first.toString()),
          java.util.Map.of(), java.time.Duration.ofSeconds(10));
      assertThat(listing.stdout()).contains("./usr/share/foo/payload", "./usr/share/bar/payload");
    }
  }
}
