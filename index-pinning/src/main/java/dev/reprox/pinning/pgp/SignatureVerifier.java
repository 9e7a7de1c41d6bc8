package dev.reprox.pinning.pgp;

import dev.reprox.pinning.SignatureInvalidException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Verifies OpenPGP-signed files against one repository's keyring. Thread-safe; build once per
 * repository and reuse (the first verification pays for key checks, later ones are ~10 ms for a
 * 150 KB InRelease).
 *
 * <p>A file is good when at least one of its signatures was made by a usable keyring key and
 * verifies, and no signature made by a keyring key fails cryptographically. Signatures by keys
 * outside the keyring are ignored and reported. A keyring key is usable for a signature when, at
 * the signature's creation time:
 * <ul>
 *   <li>the key existed (creation time ≤ signature time);
 *   <li>a subkey has a verifying subkey-binding signature from its primary, and, because it signs,
 *       a verifying embedded primary-key binding ("back") signature;
 *   <li>the key flags of its newest binding or self-signature, when present, allow signing data;
 *   <li>neither the key nor its primary had expired (creation + key expiration time of the newest
 *       binding or self-signature);
 *   <li>neither the key nor its primary carries a verifying revocation signature; a revocation
 *       whose reason is "superseded" or "retired" only counts from its own creation time on, any
 *       other reason counts retroactively;
 *   <li>the hash algorithm is not MD5, SHA-1 or RIPEMD-160.
 * </ul>
 * Signatures by unusable keyring keys do not count either way (like apt's "worthless" signers);
 * when nothing else verifies, the failure names their reason. Expiry is judged at the signature's
 * time, not now, because reprox replays old indexes; a signature's own expiration subpacket is not
 * checked for the same reason.
 */
public interface SignatureVerifier {

  /**
   * Verifies a clearsigned file (RFC 4880 §7) such as InRelease and returns its cleartext.
   * Trailing spaces and tabs of each line are not signed and line endings are hashed as CRLF;
   * text before the armor header or after the signature block is refused as malformed.
   */
  Verification verifyClearsigned(byte[] file) throws SignatureInvalidException;

  /** Verifies {@code data} against a detached signature (binary or armored). */
  Verification verifyDetached(byte[] data, byte[] signature) throws SignatureInvalidException;

  /** Upper-case hex fingerprints of every primary key in the keyring. */
  List<String> primaryFingerprints();

  /**
   * The cleartext of a clearsigned file WITHOUT verifying it, for repositories configured without
   * a keyring (their observations are recorded as unverified).
   */
  static byte[] unverifiedCleartext(byte[] file) throws SignatureInvalidException {
    return ClearsignedMessage.parse(file).cleartext();
  }

  static Builder builder() {
    return new Builder();
  }

  /** Collects keyrings (binary or armored, concatenated or separate) and builds a verifier. */
  final class Builder {
    private final List<byte[]> keyrings = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    private Builder() {}

    /** Adds a keyring read from {@code file}. */
    public Builder keyring(Path file) throws KeyringException {
      try {
        return keyring(file.toString(), Files.readAllBytes(file));
      } catch (IOException e) {
        throw new KeyringException("read keyring " + file + ": " + e.getMessage(), e);
      }
    }

    /** Adds a keyring given as bytes; {@code name} appears in error messages. */
    public Builder keyring(String name, byte[] bytes) {
      names.add(name);
      keyrings.add(bytes.clone());
      return this;
    }

    public SignatureVerifier build() throws KeyringException {
      if (keyrings.isEmpty()) {
        throw new KeyringException("build signature verifier: no keyring given");
      }
      List<KeyringLoader.Cert> certs = new ArrayList<>();
      for (int i = 0; i < keyrings.size(); i++) {
        certs.addAll(KeyringLoader.load(names.get(i), keyrings.get(i)));
      }
      return new BcSignatureVerifier(certs);
    }
  }
}
