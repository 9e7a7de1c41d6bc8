package dev.reprox.pinning.dnf;

import dev.reprox.pinning.Format;
import dev.reprox.pinning.pgp.SignatureVerifier;
import java.time.Clock;
import java.util.Objects;

/**
 * The dnf format (Fedora, Rocky, Alma, CentOS Stream). Built per repository:
 * {@code DnfFormat.builder().verifier(SignatureVerifier.builder().keyring(path).build()).clock(clock).build()}.
 * With a verifier, a repomd.xml without a verifying {@code repomd.xml.asc} is refused (dnf's
 * {@code repo_gpgcheck=1}); with {@code repoGpgcheck(false)} a missing signature is accepted as
 * unverified (Fedora publishes no repomd.xml.asc; its keys sign the rpms), but a present one must
 * still verify. Without a verifier, roots are parsed and recorded as unverified. The clock
 * supplies the estimated publication time of a repomd.xml with neither a Unix-time revision nor
 * any timestamp.
 */
public interface DnfFormat extends Format {

  static Builder builder() {
    return new Builder();
  }

  final class Builder {
    private SignatureVerifier verifier;
    private Clock clock;
    private boolean repoGpgcheck = true;

    private Builder() {}

    /** Whether a repomd.xml without a signature is refused (default) or recorded unverified. */
    public Builder repoGpgcheck(boolean required) {
      this.repoGpgcheck = required;
      return this;
    }

    /** The repository's OpenPGP keyring; leave unset for a repository configured without one. */
    public Builder verifier(SignatureVerifier verifier) {
      this.verifier = verifier;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public DnfFormat build() {
      return new DefaultDnfFormat(verifier == null ? null : new RepomdVerifier(verifier), Objects.requireNonNull(clock, "clock"),
          repoGpgcheck);
    }
  }
}
