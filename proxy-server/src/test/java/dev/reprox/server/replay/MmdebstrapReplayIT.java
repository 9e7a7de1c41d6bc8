package dev.reprox.server.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.MutableClock;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.apt.DebPackage;
import dev.reprox.testkit.apt.Mmdebstrap;
import dev.reprox.testkit.http.StaticServer;
import dev.reprox.server.testing.InProcessReprox;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mmdebstrap through {@code /fix/@T1/}: the tarball is the same with the upstream up and stopped. */
class MmdebstrapReplayIT {
  @TempDir
  Path tmp;

  @Test
  void extract_atT1_sameTarballWithUpstreamStopped() throws Exception {
    assertThat(Mmdebstrap.installed()).as("mmdebstrap must be installed").isTrue();
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(Instant.parse("2024-03-01T00:00:00Z"))
        .acquireByHash(true).add("foo", "1.0").add(DebPackage.of("bar", "2.0").withPayloadSize(100_000));
    repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    try (StaticServer upstream = StaticServer.serve(repo.root());
        InProcessReprox reprox = new InProcessReprox(tmp.resolve("reprox"), AptReplayIT.yaml(upstream.baseUri(), keyring),
            new MutableClock(Instant.now()), false)) {
      URI mirror = reprox.base().resolve("fix/@20240301T010000Z");
      Path up = Mmdebstrap.builder().mirror(mirror).keyring(keyring).include("foo", "bar").sourceDateEpoch(1700000000)
          .output(tmp.resolve("up.tar")).run();
      upstream.stop();
      Path down = Mmdebstrap.builder().mirror(mirror).keyring(keyring).include("foo", "bar").sourceDateEpoch(1700000000)
          .output(tmp.resolve("down.tar")).run();

      assertThat(AptReplayIT.sha256(down)).isEqualTo(AptReplayIT.sha256(up));
    }
  }
}
