package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A repository's keyring: its files read at startup, its keys parsed on warm-up or first use. */
class SignedRepositoryTest {
  @TempDir
  Path tmp;

  @Test
  void of_brokenKeyring_repositoryBuilt_warmAndVerifyFailNamingIt() throws Exception {
    Path garbage = Files.write(tmp.resolve("broken.gpg"), "not an OpenPGP keyring".getBytes());
    RepositoryConfig config = new RepositoryConfig("fix", RepositoryConfig.Format.APT, URI.create("http://127.0.0.1:9/x"),
        Optional.empty(), new Keyring.File(garbage), RepositoryConfig.PinningPolicy.BEST_EFFORT,
        Duration.ofSeconds(60), false);

    SignedRepository r = SignedRepository.of(config, Clock.systemUTC()); // parsing is deferred

    assertThat(r.format().classify("dists/stable/InRelease")).isNotNull(); // path rules need no key
    assertThatThrownBy(() -> r.warm().run()).hasMessageContaining("repository fix");
    assertThatThrownBy(() -> r.format().verifyRoot("dists/stable/InRelease", "x".getBytes(), null))
        .hasMessageContaining("repository fix");
  }

  @Test
  void of_missingKeyringFile_failsAtOnce() {
    RepositoryConfig config = new RepositoryConfig("fix", RepositoryConfig.Format.APT, URI.create("http://127.0.0.1:9/x"),
        Optional.empty(), new Keyring.File(tmp.resolve("absent.gpg")), RepositoryConfig.PinningPolicy.BEST_EFFORT,
        Duration.ofSeconds(60), false);

    assertThatThrownBy(() -> SignedRepository.of(config, Clock.systemUTC())).hasMessageContaining("repository fix");
  }
}
