package dev.reprox.pinning.dnf;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.SignatureInvalidException.Kind;
import dev.reprox.pinning.pgp.SignatureVerifier;
import dev.reprox.pinning.pgp.Verification;
import java.util.Objects;

/**
 * Checks {@code repomd.xml} against its detached {@code repomd.xml.asc} with one repository's
 * OpenPGP keyring, as dnf's {@code repo_gpgcheck=1} does, then parses it. The signature is checked
 * before the XML is parsed. A missing signature is refused: a repository with a keyring accepts
 * only signed roots. Thread-safe.
 */
public final class RepomdVerifier {
  private final SignatureVerifier verifier;

  /** The verified and parsed file and who signed it. */
  public record Verified(Repomd repomd, Verification verification) {
    public Verified {
      Objects.requireNonNull(repomd, "repomd");
      Objects.requireNonNull(verification, "verification");
    }
  }

  public RepomdVerifier(SignatureVerifier verifier) {
    this.verifier = Objects.requireNonNull(verifier, "verifier");
  }

  /**
   * Verifies {@code xml} against {@code signature} (binary or armored; null when the upstream has
   * none) and parses it; {@code what} names it in errors.
   */
  public Verified verify(byte[] xml, byte[] signature, String what) throws SignatureInvalidException, IndexParseException {
    if (signature == null || signature.length == 0) {
      throw new SignatureInvalidException(Kind.NO_KNOWN_SIGNER, "verify " + what + ": no repomd.xml.asc signature");
    }
    Verification v;
    try {
      v = verifier.verifyDetached(xml, signature);
    } catch (SignatureInvalidException e) {
      throw new SignatureInvalidException(e.kind(), "verify " + what + ": " + e.getMessage(), e);
    }
    return new Verified(Repomd.parse(xml, what), v);
  }
}
