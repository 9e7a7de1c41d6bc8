package dev.reprox.server.fetch;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.pinning.Format;
import dev.reprox.pinning.PinningPolicy;
import dev.reprox.pinning.TimeSpec;
import dev.reprox.pinning.apk.ApkFormat;
import dev.reprox.pinning.apk.ApkIndexVerifier;
import dev.reprox.pinning.apt.AptFormat;
import dev.reprox.pinning.dnf.DnfFormat;
import dev.reprox.pinning.pgp.SignatureVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * One configured repository with its {@link Format} bound to its keyring, built once at startup.
 * Without a keyring the format parses roots without verifying them ({@code verified=false}).
 */
record SignedRepository(RepositoryConfig config, Format format, PinningPolicy policy) {

  static SignedRepository of(RepositoryConfig config, Clock clock) {
    try {
      return new SignedRepository(config, format(config, clock),
          config.pinning() == RepositoryConfig.PinningPolicy.STRICT ? PinningPolicy.STRICT : PinningPolicy.BEST_EFFORT);
    } catch (IOException e) {
      throw new UncheckedIOException("load keyring " + config.keyring().spec() + " of repository " + config.name()
          + ": " + e.getMessage(), e);
    } catch (Exception e) {
      throw new IllegalStateException("load keyring " + config.keyring().spec() + " of repository " + config.name()
          + ": " + e.getMessage(), e);
    }
  }

  private static Format format(RepositoryConfig config, Clock clock) throws Exception {
    boolean keyed = !(config.keyring() instanceof Keyring.None);
    switch (config.format()) {
      case APT -> {
        AptFormat.Builder b = AptFormat.builder();
        if (keyed) {
          b.verifier(pgp(config));
        }
        return b.build();
      }
      case DNF -> {
        // repo_gpgcheck: with a keyring an unsigned repomd.xml is refused unless the repository
        // says repo-gpgcheck: false (built-in fedora, which publishes no repomd.xml.asc).
        DnfFormat.Builder b = DnfFormat.builder().clock(clock).repoGpgcheck(config.repoGpgcheck());
        if (keyed) {
          b.verifier(pgp(config));
        }
        return b.build();
      }
      case APK -> {
        ApkFormat.Builder b = ApkFormat.builder().clock(clock);
        if (keyed) {
          ApkIndexVerifier.Builder v = ApkIndexVerifier.builder();
          for (Keyring.KeyFile k : config.keyring().load()) {
            v.key(k.name(), k.bytes());
          }
          b.verifier(v.build());
        }
        return b.build();
      }
      default -> throw new IllegalStateException("unknown format " + config.format());
    }
  }

  private static SignatureVerifier pgp(RepositoryConfig config) throws Exception {
    SignatureVerifier.Builder b = SignatureVerifier.builder();
    for (Keyring.KeyFile k : config.keyring().load()) {
      b.keyring(k.name(), k.bytes());
    }
    return b.build();
  }

  String name() {
    return config.name();
  }

  boolean verified() {
    return !(config.keyring() instanceof Keyring.None);
  }

  /** {@code <snapshot><T as YYYYMMDDTHHMMSSZ>}, the base the snapshot server serves T under. */
  Optional<URI> snapshotBase(Instant t) {
    return config.snapshot().map(s -> URI.create(s.toString() + TimeSpec.format(t)));
  }
}
