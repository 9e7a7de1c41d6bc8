package dev.reprox.pinning;

import java.util.Objects;

/**
 * A signed file (an InRelease, a Release.gpg, an APKINDEX signature, a repomd.xml.asc) that must not be trusted, with the reason as a {@link Kind}. The message names the
 * operation and, where known, the key; callers prefix the repository and path.
 */
public final class SignatureInvalidException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why the file was rejected. */
  public enum Kind {
    /** A signature by a keyring key does not match the signed bytes. */
    BAD_SIGNATURE,
    /** No signature was made by a key of the keyring (or there was no signature at all). */
    NO_KNOWN_SIGNER,
    /** The file or the signature packets cannot be parsed. */
    MALFORMED,
    /** The only keyring signatures were made by keys expired at the signature's creation time. */
    KEY_EXPIRED,
    /** The only keyring signatures were made by revoked keys. */
    KEY_REVOKED,
    /** The only keyring signatures were made by keys that are unbound or lack signing capability. */
    KEY_UNUSABLE,
    /** The only keyring signatures use a hash algorithm too weak to trust (MD5, SHA-1, RIPEMD-160). */
    WEAK_HASH
  }

  private final Kind kind;

  public SignatureInvalidException(Kind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public SignatureInvalidException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public Kind kind() {
    return kind;
  }
}
