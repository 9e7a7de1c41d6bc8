package dev.reprox.pinning.apk;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.storage.Alias;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Streams the records of an APKINDEX text ({@code X:value} lines, a blank line between records)
 * one at a time with one reusable line buffer, so memory stays bounded whatever the index size.
 * As a {@link ListingReader} it yields {@code <prefix><name>-<version>.apk} with the Q1 alias and
 * the size. Not thread-safe.
 */
public final class ApkIndexReader implements ListingReader {
  private static final int MAX_LINE = 1024 * 1024;

  private final InputStream in;
  private final String prefix;
  private final String what;
  private byte[] buf = new byte[64 * 1024];
  private int pos;
  private int limit;
  private boolean eof;
  private long line;

  ApkIndexReader(InputStream in, String prefix, String what) {
    this.in = in;
    this.prefix = prefix;
    this.what = what;
  }

  /** The next record, or null at the end of the index. */
  public ApkIndexEntry nextEntry() throws IOException, IndexParseException {
    String name = null;
    String version = null;
    String arch = null;
    String size = null;
    Alias q1 = null;
    byte[] q2 = null;
    boolean any = false;
    long first = 0;
    String text;
    while ((text = nextLine()) != null) {
      if (text.isEmpty()) {
        if (any) {
          break;
        }
        continue;
      }
      if (!any) {
        any = true;
        first = line;
      }
      if (text.length() < 2 || text.charAt(1) != ':') {
        throw error("line " + line + " is not a 'X:value' field");
      }
      String value = text.substring(2);
      switch (text.charAt(0)) {
        case 'P' -> name = value;
        case 'V' -> version = value;
        case 'A' -> arch = value;
        case 'S' -> size = value;
        case 'C' -> {
          byte[] hash = checksum(value);
          if (hash.length == 20) {
            q1 = new Alias(Alias.Kind.APK_Q1, hash);
          } else {
            q2 = hash;
          }
        }
        default -> { }
      }
    }
    if (!any) {
      return null;
    }
    if (name == null || version == null || size == null || q1 == null) {
      throw error("record at line " + first + " (" + name + ") lacks one of P:, V:, S:, C:Q1");
    }
    try {
      long bytes = Long.parseLong(size);
      if (bytes < 0) {
        throw new NumberFormatException("negative");
      }
      return new ApkIndexEntry(name, version, arch, bytes, q1, q2);
    } catch (NumberFormatException e) {
      throw error("record at line " + first + " (" + name + ") has size " + size);
    }
  }

  @Override
  public ListedFile next() throws IOException, IndexParseException {
    ApkIndexEntry e = nextEntry();
    return e == null ? null : new ListedFile(prefix + e.fileName(), e.size(), null, List.of(e.q1()));
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private byte[] checksum(String value) throws IndexParseException {
    int expected = value.startsWith("Q1") ? 20 : value.startsWith("Q2") ? 32 : -1;
    if (expected > 0) {
      try {
        byte[] hash = Base64.getDecoder().decode(value.substring(2));
        if (hash.length == expected) {
          return hash;
        }
      } catch (IllegalArgumentException e) {
        // reported below
      }
    }
    throw error("line " + line + " has checksum '" + value + "', not Q1/Q2 base64");
  }

  /** The next line without its LF (and CR), or null at the end; a final line without LF counts. */
  private String nextLine() throws IOException, IndexParseException {
    int scan = pos;
    while (true) {
      for (int i = scan; i < limit; i++) {
        if (buf[i] == '\n') {
          int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
          String s = new String(buf, pos, end - pos, StandardCharsets.UTF_8);
          pos = i + 1;
          line++;
          return s;
        }
      }
      scan = limit;
      if (eof) {
        if (pos < limit) {
          String s = new String(buf, pos, limit - pos, StandardCharsets.UTF_8);
          pos = limit;
          line++;
          return s;
        }
        return null;
      }
      if (limit - pos >= MAX_LINE) {
        throw error("line " + (line + 1) + " longer than " + MAX_LINE + " bytes");
      }
      scan -= fill();
    }
  }

  /** Compacts, grows if full, reads more; returns how far the bytes moved left. */
  private int fill() throws IOException {
    int shift = pos;
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, limit - pos);
      limit -= pos;
      pos = 0;
    }
    if (limit == buf.length) {
      buf = java.util.Arrays.copyOf(buf, Math.min(buf.length * 2, MAX_LINE + 1));
    }
    int n = in.read(buf, limit, buf.length - limit);
    if (n < 0) {
      eof = true;
    } else {
      limit += n;
    }
    return shift;
  }

  private IndexParseException error(String detail) {
    return new IndexParseException("parse " + what + ": " + detail);
  }
}
