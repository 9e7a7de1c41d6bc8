package dev.reprox.storage;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A hash that some package format uses to name content, mapped to the blob's SHA-256 by
 * {@link Aliases}. {@link Kind#APK_Q1} is the SHA-1 of an .apk's control member (apk's
 * {@code C:Q1<base64>}), not of the whole file, so it has its own namespace.
 */
public record Alias(Kind kind, byte[] value) {
  public enum Kind {
    SHA1(20), SHA512(64), MD5(16), APK_Q1(20);

    private final int length;

    Kind(int length) {
      this.length = length;
    }

    public int length() {
      return length;
    }
  }

  public Alias {
    if (value.length != kind.length()) {
      throw new IllegalArgumentException(kind + " alias needs " + kind.length() + " bytes, got " + value.length);
    }
    value = value.clone();
  }

  public static Alias ofHex(Kind kind, String hex) {
    return new Alias(kind, HexFormat.of().parseHex(hex));
  }

  @Override
  public byte[] value() {
    return value.clone();
  }

  public String hex() {
    return HexFormat.of().formatHex(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Alias a && a.kind == kind && Arrays.equals(a.value, value);
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + hex();
  }
}
