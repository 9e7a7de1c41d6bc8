package dev.reprox.server.bundle;

import dev.reprox.pinning.BodyCheck;
import dev.reprox.storage.Alias;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The check of a body its signed index names by a plain digest of the whole file other than
 * SHA-256 (dnf: a repomd.xml or primary {@code <checksum type="sha512">}, {@code "sha1"} or
 * {@code "md5"}): the fetch path checks those through its alias-checked fill, an import here.
 */
final class WholeFileCheck implements BodyCheck {
  private final MessageDigest hasher;
  private final Alias expected;

  private WholeFileCheck(MessageDigest hasher, Alias expected) {
    this.hasher = hasher;
    this.expected = expected;
  }

  /** The check for {@code expected}; empty for a kind that is not a whole-file digest (apk's Q1). */
  static Optional<BodyCheck> of(Alias expected) {
    String algorithm = switch (expected.kind()) {
      case SHA1 -> "SHA-1";
      case SHA512 -> "SHA-512";
      case MD5 -> "MD5";
      case APK_Q1 -> null;
    };
    if (algorithm == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new WholeFileCheck(MessageDigest.getInstance(algorithm), expected));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is required of every JDK", e);
    }
  }

  @Override
  public void update(byte[] b, int off, int len) {
    hasher.update(b, off, len);
  }

  @Override
  public String unreadable() {
    return null;
  }

  @Override
  public String mismatch() {
    Alias actual = new Alias(expected.kind(), hasher.digest());
    return actual.equals(expected) ? null : "its " + expected.kind() + " is " + actual.hex();
  }
}
