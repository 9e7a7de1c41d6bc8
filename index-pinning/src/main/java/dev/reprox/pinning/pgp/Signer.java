package dev.reprox.pinning.pgp;

import java.time.Instant;
import java.util.Objects;

/**
 * One signature that verified.
 *
 * @param primaryFingerprint upper-case hex fingerprint of the certificate's primary key (what users
 *     see in {@code gpg --list-keys}; the "signer" recorded with an observation)
 * @param keyFingerprint upper-case hex fingerprint of the key that made the signature (a subkey or
 *     the primary itself)
 * @param createdAt the signature's creation time (from its hashed subpackets)
 * @param algorithm public-key algorithm, e.g. {@code RSA}, {@code EdDSA}
 * @param hash hash algorithm, e.g. {@code SHA512}
 */
public record Signer(String primaryFingerprint, String keyFingerprint, Instant createdAt, String algorithm,
    String hash) {
  public Signer {
    Objects.requireNonNull(primaryFingerprint, "primaryFingerprint");
    Objects.requireNonNull(keyFingerprint, "keyFingerprint");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
