package dev.reprox.testkit.apk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The byte-level pieces abuild assembles: ustar segments (optionally "cut", without the two
 * end-of-archive blocks, as {@code abuild-tar --cut} leaves the signature and control members so
 * that concatenated members read as one tar stream) and gzip members (java.util.zip: header mtime
 * 0, no file name, so the bytes depend only on the content).
 */
final class ApkArchives {

  private static final int BLOCK = 512;

  private ApkArchives() {
  }

  /** A tar of regular files (mode 0644, root:root) and directories (names ending in '/', 0755). */
  static byte[] tar(Map<String, byte[]> entries, Instant mtime, boolean cut) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long length = 0;
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out, BLOCK)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_ERROR);
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        boolean dir = e.getKey().endsWith("/");
        TarArchiveEntry entry = new TarArchiveEntry(e.getKey(), dir ? TarArchiveEntry.LF_DIR : TarArchiveEntry.LF_NORMAL);
        entry.setMode(dir ? 040755 : 0100644);
        entry.setIds(0, 0);
        entry.setNames("root", "root");
        entry.setModTime(Date.from(mtime));
        entry.setSize(dir ? 0 : e.getValue().length);
        tar.putArchiveEntry(entry);
        if (!dir) {
          tar.write(e.getValue());
        }
        tar.closeArchiveEntry();
        length += BLOCK + (dir ? 0 : (e.getValue().length + BLOCK - 1) / BLOCK * BLOCK);
      }
      tar.finish();
    } catch (IOException e) {
      throw new UncheckedIOException("write tar of " + entries.keySet(), e);
    }
    byte[] bytes = out.toByteArray();
    return cut ? java.util.Arrays.copyOf(bytes, (int) length) : bytes;
  }

  /** One gzip member at maximum compression (abuild pipes through {@code gzip -9}). */
  static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out) {
      {
        def.setLevel(Deflater.BEST_COMPRESSION);
      }
    }) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("gzip", e);
    }
    return out.toByteArray();
  }

  /** The signature member: a cut tar holding one {@code .SIGN.RSA[256].<key>} entry over {@code signed}. */
  static byte[] signatureMember(ApkKey key, byte[] signed, boolean sha256, Instant mtime) {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put((sha256 ? ".SIGN.RSA256." : ".SIGN.RSA.") + key.name(), key.sign(signed, sha256));
    return gzip(tar(entries, mtime, true));
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] digest(String algorithm, byte[] bytes) {
    try {
      return MessageDigest.getInstance(algorithm).digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " missing from the JDK", e);
    }
  }

  static String hex(String algorithm, byte[] bytes) {
    return HexFormat.of().formatHex(digest(algorithm, bytes));
  }
}
