package dev.reprox.pinning.apt;

import dev.reprox.pinning.IndexParseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * LF-terminated lines from a stream with one reusable buffer; a line longer than the limit is a
 * parse error rather than an unbounded allocation. Lines come back as ISO-8859-1 strings only
 * when asked ({@link #string}), so the many uninteresting lines of a Packages file cost no
 * allocation.
 */
final class ByteLines {
  private final InputStream in;
  private final int maxLine;
  private byte[] buf = new byte[64 * 1024];
  private int pos;
  private int limit;
  private boolean eof;
  /** The current line is buf[start, end). */
  int start;
  int end;
  long number;

  ByteLines(InputStream in, int maxLine) {
    this.in = in;
    this.maxLine = maxLine;
  }

  /** Advances to the next line; false at the end of input. A final line without LF counts. */
  boolean next() throws IOException, IndexParseException {
    int scan = pos;
    while (true) {
      for (int i = scan; i < limit; i++) {
        if (buf[i] == '\n') {
          start = pos;
          end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
          pos = i + 1;
          number++;
          return true;
        }
      }
      scan = limit;
      if (eof) {
        if (pos < limit) {
          start = pos;
          end = limit;
          pos = limit;
          number++;
          return true;
        }
        return false;
      }
      if (limit - pos >= maxLine) {
        throw new IndexParseException("parse listing: line " + (number + 1) + " longer than " + maxLine + " bytes");
      }
      scan -= fill();
    }
  }

  /** Compacts and reads more; returns how far existing bytes moved left. */
  private int fill() throws IOException {
    int shift = pos;
    if (shift > 0) {
      System.arraycopy(buf, pos, buf, 0, limit - pos);
      limit -= pos;
      pos = 0;
    }
    if (limit == buf.length) {
      byte[] bigger = new byte[Math.min(buf.length * 2, maxLine + 1)];
      System.arraycopy(buf, 0, bigger, 0, limit);
      buf = bigger;
    }
    int n = in.read(buf, limit, buf.length - limit);
    if (n < 0) {
      eof = true;
    } else {
      limit += n;
    }
    return shift;
  }

  int length() {
    return end - start;
  }

  byte at(int i) {
    return buf[start + i];
  }

  /** True when the current line starts with {@code prefix} (ASCII, case-insensitive). */
  boolean startsWithIgnoreCase(String prefix) {
    if (length() < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      int c = buf[start + i];
      if (c >= 'A' && c <= 'Z') {
        c += 32;
      }
      int p = prefix.charAt(i);
      if (p >= 'A' && p <= 'Z') {
        p += 32;
      }
      if (c != p) {
        return false;
      }
    }
    return true;
  }

  /** The line from {@code from} to its end, stripped; UTF-8 decoded (file names may be UTF-8). */
  String string(int from) {
    return new String(buf, start + from, end - start - from, StandardCharsets.UTF_8).strip();
  }

  boolean isBlank() {
    for (int i = start; i < end; i++) {
      if (buf[i] != ' ' && buf[i] != '\t') {
        return false;
      }
    }
    return true;
  }
}
