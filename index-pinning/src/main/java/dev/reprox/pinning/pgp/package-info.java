/**
 * OpenPGP verification of signed root indexes with Bouncy Castle (never an external gpg): a
 * {@link dev.reprox.pinning.pgp.SignatureVerifier} built from one or more keyrings (binary or
 * armored, possibly concatenated) checks clearsigned files (apt's InRelease) and detached
 * signatures (Release + Release.gpg, repomd.xml + .asc). Beyond the cryptographic check it
 * enforces what Bouncy Castle's low-level API leaves out — subkey binding, revocation, signing
 * capability and expiry at signature time — and reports every signer and every ignored signature.
 */
package dev.reprox.pinning.pgp;
