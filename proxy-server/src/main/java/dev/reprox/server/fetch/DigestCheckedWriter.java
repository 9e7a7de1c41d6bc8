package dev.reprox.server.fetch;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Aliases;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.SizeMismatchException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * A {@link BlobWriter} for a body its signed index names by a whole-file hash other than SHA-256
 * (a repomd.xml or primary.xml with {@code <checksum type="sha512">} or {@code "sha1"}): the body
 * is hashed with that algorithm as it streams, and {@link #commit} makes it visible only when hash
 * and size match, then records the hash as an alias of the SHA-256. Otherwise nothing is stored
 * and the write is cancelled (tails fail, clients are cut).
 */
final class DigestCheckedWriter extends AliasCheckedWriter {
  private final MessageDigest hash;

  DigestCheckedWriter(BlobWriter delegate, Aliases aliases, Alias expected, String what) {
    super(delegate, aliases, expected, what);
    this.hash = newDigest(expected.kind());
  }

  private static MessageDigest newDigest(Alias.Kind kind) {
    String algorithm = switch (kind) {
      case SHA1 -> "SHA-1";
      case SHA512 -> "SHA-512";
      case MD5 -> "MD5";
      case APK_Q1 -> throw new IllegalArgumentException("APK_Q1 is not a whole-file hash");
    };
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has " + algorithm, e);
    }
  }

  @Override
  void observe(ByteBuffer piece) {
    hash.update(piece);
  }

  @Override
  String mismatch(long expectedSize) throws SizeMismatchException {
    requireSize(expectedSize);
    Alias actual = new Alias(expected.kind(), hash.digest());
    return actual.equals(expected) ? null
        : expected.kind().name().toLowerCase(Locale.ROOT) + " " + actual.hex() + ", the signed index says " + expected.hex();
  }
}
