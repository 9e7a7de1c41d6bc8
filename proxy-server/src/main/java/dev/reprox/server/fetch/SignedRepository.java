package dev.reprox.server.fetch;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.pinning.Format;
import dev.reprox.pinning.PinningPolicy;
import dev.reprox.pinning.TimeSpec;
import dev.reprox.pinning.formats.Formats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One configured repository with its {@link Format} bound to its keyring, built once at startup.
 * Without a keyring the format parses roots without verifying them ({@code verified=false}). The
 * keyring itself is parsed on first use or by {@link #warm}; {@link Formats} builds the format by
 * its name, so the server names no format.
 */
public record SignedRepository(RepositoryConfig config, Format format, PinningPolicy policy, Runnable warm) {

  public static SignedRepository of(RepositoryConfig config, Clock clock) {
    try {
      // The files are read now (a missing keyring is a startup error); the keys are parsed later.
      Optional<List<Formats.KeyFile>> keys = config.keyring() instanceof Keyring.None ? Optional.empty()
          : Optional.of(config.keyring().load().stream().map(k -> new Formats.KeyFile(k.name(), k.bytes())).toList());
      // repo_gpgcheck (dnf): with a keyring an unsigned repomd.xml is refused unless the repository
      // says repo-gpgcheck: false (built-in fedora, which publishes no repomd.xml.asc).
      Formats.Built built = Formats.build(new Formats.Spec(config.format().name(), keys, clock,
          config.repoGpgcheck(), what(config)));
      return new SignedRepository(config, built.format(),
          config.pinning() == RepositoryConfig.PinningPolicy.STRICT ? PinningPolicy.STRICT : PinningPolicy.BEST_EFFORT,
          built.warm());
    } catch (IOException e) {
      throw new UncheckedIOException(what(config) + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IllegalStateException(what(config) + ": " + e.getMessage(), e);
    }
  }

  private static String what(RepositoryConfig config) {
    return "load keyring " + config.keyring().spec() + " of repository " + config.name();
  }

  public String name() {
    return config.name();
  }

  public boolean verified() {
    return !(config.keyring() instanceof Keyring.None);
  }

  /** {@code <snapshot><T as YYYYMMDDTHHMMSSZ>}, the base the snapshot server serves T under. */
  public Optional<URI> snapshotBase(Instant t) {
    return config.snapshot().map(s -> URI.create(s.toString() + TimeSpec.format(t)));
  }
}
