/**
 * Throwaway OpenPGP signing keys for fixture repositories: generated in memory with Bouncy Castle
 * (Ed25519 or RSA-3072, OpenPGP v4 so that Debian's gpgv accepts them), exported as a binary
 * keyring for apt's {@code signed-by=} and reprox's {@code keyring:}, and able to produce the two
 * signature shapes apt reads: a clearsigned {@code InRelease} and an armored detached
 * {@code Release.gpg}.
 */
package dev.reprox.testkit.pgp;
