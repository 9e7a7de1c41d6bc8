package dev.reprox.pinning.apt;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Opens an index stream by its magic bytes (xz, gzip, or plain), not by its name: the name a
 * client asked for and the bytes an upstream sent do not always agree.
 */
final class Decompression {
  private static final int BUFFER = 64 * 1024;

  private Decompression() {}

  static InputStream open(InputStream raw) throws IOException {
    BufferedInputStream in = raw instanceof BufferedInputStream b ? b : new BufferedInputStream(raw, BUFFER);
    in.mark(6);
    byte[] magic = in.readNBytes(6);
    in.reset();
    if (magic.length >= 6 && (magic[0] & 0xff) == 0xFD && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X'
        && magic[4] == 'Z' && magic[5] == 0) {
      // The header picks the dictionary size (up to 4 GiB, allocated at once): cap it (xz -9 needs 65 MiB).
      return new XZInputStream(in, 96 * 1024);
    }
    if (magic.length >= 2 && (magic[0] & 0xff) == 0x1F && (magic[1] & 0xff) == 0x8B) {
      return new GZIPInputStream(in, BUFFER);
    }
    return in;
  }
}
