package dev.reprox.pinning.pgp;

import dev.reprox.pinning.SignatureInvalidException;

/**
 * A signature that neither made the file good nor bad: by a key outside the keyring, or by a
 * keyring key that was not usable when it signed (the reason says which).
 *
 * @param keyId 16 upper-case hex digits of the issuer key id
 * @param reason why it did not count
 * @param kind the rejection kind it would have caused had it been the only keyring signature, or
 *     {@link SignatureInvalidException.Kind#NO_KNOWN_SIGNER} for an unknown key
 */
public record IgnoredSignature(String keyId, String reason, SignatureInvalidException.Kind kind) {}
