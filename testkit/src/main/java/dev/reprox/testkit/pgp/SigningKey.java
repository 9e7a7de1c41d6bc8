package dev.reprox.testkit.pgp;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A throwaway OpenPGP key that signs apt root indexes. Keys live only in memory; export the
 * public half with {@link #writeKeyring(Path)}.
 */
public interface SigningKey {

  /** Creation time of every generated key: fixed and old, so no signature predates its key. */
  Instant KEY_CREATED = Instant.parse("2001-01-01T00:00:00Z");

  /** A fresh Ed25519 key (OpenPGP v4, algorithm 22 "EdDSA legacy", the form gpgv 2.2 reads). */
  static SigningKey ed25519(String userId) {
    return BcSigningKey.generate(userId, BcSigningKey.Kind.ED25519);
  }

  /** A fresh RSA-3072 key; takes a second or two to generate. */
  static SigningKey rsa3072(String userId) {
    return BcSigningKey.generate(userId, BcSigningKey.Kind.RSA_3072);
  }

  /** The v4 fingerprint, 40 upper-case hex digits. */
  String fingerprint();

  /** The binary transferable public key (what {@code gpg --export} writes). */
  byte[] publicKeyring();

  /** Writes {@link #publicKeyring()} to {@code file} and returns it. */
  Path writeKeyring(Path file) throws IOException;

  /**
   * Clearsigns {@code text} (UTF-8, {@code \n} line endings) the way {@code gpg --clearsign}
   * does: canonical-text signature with SHA-512, lines starting with '-' dash-escaped.
   */
  byte[] clearsign(byte[] text, Instant signedAt);

  /** An ASCII-armored detached binary-document signature over {@code data}, SHA-512. */
  byte[] detachSign(byte[] data, Instant signedAt);
}
