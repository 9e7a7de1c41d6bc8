package dev.reprox.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A SHA-256 content address: the identity of every blob. Immutable; compare with {@code equals}.
 * Parse with {@link #sha256(String)}; format with {@link #hex()}. No API takes hex strings.
 */
public final class Digest implements Comparable<Digest> {
  public static final int LENGTH = 32;
  private static final HexFormat HEX = HexFormat.of();

  private final byte[] bytes;

  private Digest(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Parses 64 hex digits (either case). */
  public static Digest sha256(String hex) {
    if (hex == null || hex.length() != LENGTH * 2) {
      throw new IllegalArgumentException("not a sha256 digest (64 hex digits): " + quote(hex));
    }
    try {
      return new Digest(HEX.parseHex(hex.toLowerCase(java.util.Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a sha256 digest (64 hex digits): " + quote(hex), e);
    }
  }

  /** Wraps 32 raw bytes (copied). */
  public static Digest of(byte[] raw) {
    if (raw.length != LENGTH) {
      throw new IllegalArgumentException("sha256 digest needs 32 bytes, got " + raw.length);
    }
    return new Digest(raw.clone());
  }

  /** The digest of a whole byte array; for small data and tests. */
  public static Digest compute(byte[] data) {
    MessageDigest md = newHasher();
    return new Digest(md.digest(data));
  }

  /** A fresh SHA-256 {@link MessageDigest}. */
  public static MessageDigest newHasher() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The raw 32 bytes (a copy). */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** 64 lower-case hex digits. */
  public String hex() {
    return HEX.formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Digest d && Arrays.equals(bytes, d.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(Digest o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  /** {@code sha256:<hex>}, the form used in headers and logs. */
  @Override
  public String toString() {
    return "sha256:" + hex();
  }

  private static String quote(String s) {
    return s == null ? "null" : '"' + s + '"';
  }
}
