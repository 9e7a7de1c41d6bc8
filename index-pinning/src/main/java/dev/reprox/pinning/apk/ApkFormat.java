package dev.reprox.pinning.apk;

import dev.reprox.pinning.Format;
import java.time.Clock;
import java.util.Objects;

/**
 * The apk format (Alpine, Wolfi). Built per repository:
 * {@code ApkFormat.builder().verifier(ApkIndexVerifier.builder().keyDirectory(dir).build()).clock(clock).build()};
 * without a verifier roots are parsed but recorded as unverified. The clock supplies the estimated
 * publication time of an index whose tar mtime is implausible (Wolfi's 1970).
 *
 * <p>The root {@code <branch>/<repo>/<arch>/APKINDEX.tar.gz} is also the only listing: its
 * {@link dev.reprox.pinning.RootIndex#files()} are the packages, named by {@code APK_Q1} alias and
 * size. A package is checked with {@link ApkPackages#controlHasher} fed alongside the SHA-256.
 */
public interface ApkFormat extends Format {

  static Builder builder() {
    return new Builder();
  }

  final class Builder {
    private ApkIndexVerifier verifier;
    private Clock clock;

    private Builder() {}

    /** The repository's keyring; leave unset for a repository configured without one. */
    public Builder verifier(ApkIndexVerifier verifier) {
      this.verifier = verifier;
      return this;
    }

    /** The time source for estimated publication times (the fetch happens "now"). */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public ApkFormat build() {
      return new DefaultApkFormat(verifier, Objects.requireNonNull(clock, "clock"));
    }
  }
}
