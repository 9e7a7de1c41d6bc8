package dev.reprox.pinning.apk;

import java.nio.charset.StandardCharsets;

/**
 * One 512-byte ustar header. apk writes its signature and control tars without the end-of-archive
 * blocks and splits them across gzip members, so a general tar reader does not fit; reading the
 * few fields needed here is short.
 *
 * @param name entry name (ustar prefix joined), or null for an all-zero end-of-archive block
 * @param size content size in bytes
 * @param mtime modification time, seconds since the epoch
 */
record TarHeader(String name, long size, long mtime) {
  static final int BLOCK = 512;

  /** Parses the header at {@code off}; returns null for a zero block and throws on garbage. */
  static TarHeader parse(byte[] b, int off) {
    boolean zero = true;
    for (int i = 0; i < BLOCK && zero; i++) {
      zero = b[off + i] == 0;
    }
    if (zero) {
      return null;
    }
    long stored = octal(b, off + 148, 8);
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (b[off + i] & 0xff);
    }
    if (sum != stored) {
      throw new IllegalArgumentException("tar header checksum " + stored + " does not match " + sum);
    }
    String name = string(b, off, 100);
    if (new String(b, off + 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
      String prefix = string(b, off + 345, 155);
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
    }
    long size = octal(b, off + 124, 12);
    if (size < 0) { // a negative base-256 size would walk the headers backwards or in place (found by fuzzing)
      throw new IllegalArgumentException("negative size " + size + " in tar header");
    }
    return new TarHeader(name, size, octal(b, off + 136, 12));
  }

  /** Bytes from the start of this header to the next one. */
  long span() {
    return BLOCK + (size + BLOCK - 1) / BLOCK * BLOCK;
  }

  private static String string(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  private static long octal(byte[] b, int off, int len) {
    if ((b[off] & 0x80) != 0) {
      // GNU base-256: big-endian binary in the remaining bytes.
      long v = b[off] & 0x7f;
      for (int i = 1; i < len; i++) {
        v = v << 8 | (b[off + i] & 0xff);
      }
      return v;
    }
    long v = 0;
    int i = off;
    int end = off + len;
    while (i < end && (b[i] == ' ' || b[i] == 0)) {
      i++;
    }
    for (; i < end && b[i] >= '0' && b[i] <= '7'; i++) {
      v = v * 8 + (b[i] - '0');
    }
    for (; i < end; i++) {
      if (b[i] != ' ' && b[i] != 0) {
        throw new IllegalArgumentException("bad octal field in tar header");
      }
    }
    return v;
  }
}
