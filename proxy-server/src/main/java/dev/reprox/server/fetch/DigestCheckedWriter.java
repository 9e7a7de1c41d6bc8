package dev.reprox.server.fetch;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Aliases;
import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.SizeMismatchException;
import dev.reprox.storage.TailReader;
import java.io.IOException;
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
final class DigestCheckedWriter implements BlobWriter {
  private final BlobWriter delegate;
  private final Aliases aliases;
  private final Alias expected;
  private final MessageDigest hash;
  private final String what;

  DigestCheckedWriter(BlobWriter delegate, Aliases aliases, Alias expected, String what) {
    this.delegate = delegate;
    this.aliases = aliases;
    this.expected = expected;
    this.what = what;
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
  public void write(ByteBuffer src) throws IOException {
    ByteBuffer copy = src.duplicate();
    delegate.write(src);
    hash.update(copy);
  }

  @Override
  public long written() {
    return delegate.written();
  }

  @Override
  public BlobInfo commit(Digest expectedDigest, long expectedSize) throws IOException {
    if (expectedSize >= 0 && delegate.written() != expectedSize) {
      delegate.cancel();
      throw new SizeMismatchException(expectedSize, delegate.written());
    }
    Alias actual = new Alias(expected.kind(), hash.digest());
    if (!actual.equals(expected)) {
      delegate.cancel();
      throw new ControlCheckedWriter.ControlMismatchException("check " + what + ": "
          + expected.kind().name().toLowerCase(Locale.ROOT) + " " + actual.hex() + ", the signed index says "
          + expected.hex(), null);
    }
    BlobInfo info = delegate.commit(expectedDigest, expectedSize);
    aliases.put(expected, info.digest());
    return info;
  }

  @Override
  public void cancel() {
    delegate.cancel();
  }

  @Override
  public TailReader tail() {
    return delegate.tail();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
