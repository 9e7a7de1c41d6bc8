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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One configured repository with its {@link Format} bound to its keyring, built once at startup.
 * Without a keyring the format parses roots without verifying them ({@code verified=false}). The
 * keyring itself is parsed on first use or by {@link #warm} ({@link LazyVerifiers}): the format's
 * path rules need no key, and parsing every built-in keyring took seconds before serve listened.
 */
record SignedRepository(RepositoryConfig config, Format format, PinningPolicy policy, Runnable warm) {

  static SignedRepository of(RepositoryConfig config, Clock clock) {
    try {
      List<LazyVerifiers.Once<?>> keyrings = new ArrayList<>();
      Format format = format(config, clock, keyrings);
      return new SignedRepository(config, format,
          config.pinning() == RepositoryConfig.PinningPolicy.STRICT ? PinningPolicy.STRICT : PinningPolicy.BEST_EFFORT,
          () -> keyrings.forEach(LazyVerifiers.Once::get));
    } catch (IOException e) {
      throw new UncheckedIOException("load keyring " + config.keyring().spec() + " of repository " + config.name()
          + ": " + e.getMessage(), e);
    } catch (Exception e) {
      throw new IllegalStateException("load keyring " + config.keyring().spec() + " of repository " + config.name()
          + ": " + e.getMessage(), e);
    }
  }

  private static Format format(RepositoryConfig config, Clock clock, List<LazyVerifiers.Once<?>> keyrings)
      throws Exception {
    boolean keyed = !(config.keyring() instanceof Keyring.None);
    switch (config.format()) {
      case APT -> {
        AptFormat.Builder b = AptFormat.builder();
        if (keyed) {
          b.verifier(pgp(config, keyrings));
        }
        return b.build();
      }
      case DNF -> {
        // repo_gpgcheck: with a keyring an unsigned repomd.xml is refused unless the repository
        // says repo-gpgcheck: false (built-in fedora, which publishes no repomd.xml.asc).
        DnfFormat.Builder b = DnfFormat.builder().clock(clock).repoGpgcheck(config.repoGpgcheck());
        if (keyed) {
          b.verifier(pgp(config, keyrings));
        }
        return b.build();
      }
      case APK -> {
        ApkFormat.Builder b = ApkFormat.builder().clock(clock);
        if (keyed) {
          // The files are read now (a missing keyring is a startup error); the keys parsed later.
          List<Keyring.KeyFile> files = config.keyring().load();
          LazyVerifiers.Once<ApkIndexVerifier> once = new LazyVerifiers.Once<>(what(config), () -> {
            ApkIndexVerifier.Builder v = ApkIndexVerifier.builder();
            for (Keyring.KeyFile k : files) {
              v.key(k.name(), k.bytes());
            }
            return v.build();
          });
          keyrings.add(once);
          b.verifier(LazyVerifiers.apk(once));
        }
        return b.build();
      }
      default -> throw new IllegalStateException("unknown format " + config.format());
    }
  }

  private static SignatureVerifier pgp(RepositoryConfig config, List<LazyVerifiers.Once<?>> keyrings)
      throws Exception {
    List<Keyring.KeyFile> files = config.keyring().load();
    LazyVerifiers.Once<SignatureVerifier> once = new LazyVerifiers.Once<>(what(config), () -> {
      SignatureVerifier.Builder b = SignatureVerifier.builder();
      for (Keyring.KeyFile k : files) {
        b.keyring(k.name(), k.bytes());
      }
      return b.build();
    });
    keyrings.add(once);
    return LazyVerifiers.pgp(once);
  }

  private static String what(RepositoryConfig config) {
    return "load keyring " + config.keyring().spec() + " of repository " + config.name();
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
