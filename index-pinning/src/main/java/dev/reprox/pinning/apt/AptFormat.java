package dev.reprox.pinning.apt;

import dev.reprox.pinning.Format;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.pgp.SignatureVerifier;

/**
 * The apt format. Built per repository with its keyring:
 * {@code AptFormat.builder().verifier(SignatureVerifier.builder().keyring(path).build()).build()};
 * without a verifier roots are parsed but recorded as unverified.
 */
public interface AptFormat extends Format {

  /** The parsed Release content of a root index (the cleartext for InRelease). */
  ReleaseFile release(String path, byte[] bytes, byte[] detachedSignature)
      throws SignatureInvalidException, IndexParseException;

  static Builder builder() {
    return new Builder();
  }

  final class Builder {
    private SignatureVerifier verifier;

    private Builder() {}

    /** The repository's keyring; leave unset for a repository configured without one. */
    public Builder verifier(SignatureVerifier verifier) {
      this.verifier = verifier;
      return this;
    }

    public AptFormat build() {
      return new DefaultAptFormat(verifier);
    }
  }
}
