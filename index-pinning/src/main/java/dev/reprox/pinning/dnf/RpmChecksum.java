package dev.reprox.pinning.dnf;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * A {@code <checksum type="…">} of rpm-md metadata: the algorithm and the raw hash.
 *
 * @param algorithm the hash algorithm
 * @param value the hash, of the algorithm's length
 */
public record RpmChecksum(Algorithm algorithm, byte[] value) {
  /** The checksum types createrepo writes; {@code sha} is old yum's name for SHA-1. */
  public enum Algorithm {
    SHA256(32, null), SHA512(64, Alias.Kind.SHA512), SHA1(20, Alias.Kind.SHA1), MD5(16, Alias.Kind.MD5);

    private final int length;
    private final Alias.Kind alias;

    Algorithm(int length, Alias.Kind alias) {
      this.length = length;
      this.alias = alias;
    }

    public int length() {
      return length;
    }

    /** The algorithm named by a {@code type} attribute, or null when unknown. */
    static Algorithm of(String type) {
      return switch (type.toLowerCase(Locale.ROOT)) {
        case "sha256" -> SHA256;
        case "sha512" -> SHA512;
        case "sha1", "sha" -> SHA1;
        case "md5" -> MD5;
        default -> null;
      };
    }
  }

  public RpmChecksum {
    Objects.requireNonNull(algorithm, "algorithm");
    if (value.length != algorithm.length()) {
      throw new IllegalArgumentException(algorithm + " checksum needs " + algorithm.length() + " bytes, got " + value.length);
    }
    value = value.clone();
  }

  /** Parses a {@code type} attribute and hex text; {@code where} names the element in errors. */
  static RpmChecksum parse(String type, String hex, String where) throws IndexParseException {
    Algorithm algorithm = type == null ? null : Algorithm.of(type);
    if (algorithm == null) {
      throw new IndexParseException(where + ": unknown checksum type " + type);
    }
    try {
      byte[] value = HexFormat.of().parseHex(hex.strip().toLowerCase(Locale.ROOT));
      if (value.length == algorithm.length()) {
        return new RpmChecksum(algorithm, value);
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new IndexParseException(where + ": " + type + " checksum is not " + algorithm.length() * 2 + " hex digits");
  }

  @Override
  public byte[] value() {
    return value.clone();
  }

  public String hex() {
    return HexFormat.of().formatHex(value);
  }

  /** The SHA-256 when this is one, else null. */
  public Digest sha256() {
    return algorithm == Algorithm.SHA256 ? Digest.of(value) : null;
  }

  /** The alias for a non-SHA-256 checksum, else null. */
  public Alias alias() {
    return algorithm == Algorithm.SHA256 ? null : new Alias(algorithm.alias, value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RpmChecksum c && c.algorithm == algorithm && Arrays.equals(c.value, value);
  }

  @Override
  public int hashCode() {
    return algorithm.hashCode() * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return algorithm.name().toLowerCase(Locale.ROOT) + ":" + hex();
  }
}
