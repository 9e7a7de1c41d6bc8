package dev.reprox.pinning.dnf;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Opens rpm-md metadata by its magic bytes (gzip, xz, zstd, bzip2, or plain XML): the file name
 * and the bytes do not always agree, and magic bytes cannot lie about the decoder needed.
 */
final class MetadataDecompression {
  private static final int BUFFER = 64 * 1024;

  private MetadataDecompression() {}

  static InputStream open(InputStream raw) throws IOException {
    BufferedInputStream in = raw instanceof BufferedInputStream b ? b : new BufferedInputStream(raw, BUFFER);
    in.mark(6);
    byte[] m = in.readNBytes(6);
    in.reset();
    if (starts(m, 0x1F, 0x8B)) {
      return new GZIPInputStream(in, BUFFER);
    }
    if (starts(m, 0xFD, '7', 'z', 'X', 'Z', 0)) {
      // The header picks the dictionary size (up to 4 GiB, allocated at once): cap it (xz -9 needs 65 MiB).
      return new BufferedInputStream(new XZInputStream(in, 96 * 1024), BUFFER);
    }
    if (starts(m, 0x28, 0xB5, 0x2F, 0xFD)) {
      return new BufferedInputStream(new ZstdInputStream(in), BUFFER);
    }
    if (starts(m, 'B', 'Z', 'h')) {
      return new BZip2CompressorInputStream(in, true);
    }
    return in;
  }

  private static boolean starts(byte[] bytes, int... magic) {
    if (bytes.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((bytes[i] & 0xff) != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
