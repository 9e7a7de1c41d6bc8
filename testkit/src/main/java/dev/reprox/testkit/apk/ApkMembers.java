package dev.reprox.testkit.apk;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads what apk reads: the gzip members of a file (raw bytes and inflated contents, split
 * exactly where each member ends, as apk's gzip layer does) and the entries of a tar segment
 * that may lack its end-of-archive blocks.
 */
final class ApkMembers {

  /** One gzip member: where its raw bytes lie in the file and what they inflate to. */
  record Member(int start, int end, byte[] inflated) {
  }

  private ApkMembers() {
  }

  /** Every member of {@code file}, in order. */
  static List<Member> split(byte[] file, String what) {
    List<Member> members = new ArrayList<>();
    int pos = 0;
    while (pos < file.length) {
      Member m = member(file, pos, what);
      members.add(m);
      pos = m.end();
    }
    return members;
  }

  /** The one member starting at {@code pos}: lets a caller check a signature before inflating the rest. */
  static Member member(byte[] file, int pos, String what) {
    if (file.length - pos < 18 || (file[pos] & 0xff) != 0x1f || (file[pos + 1] & 0xff) != 0x8b || file[pos + 2] != 8) {
      throw new ApkException(what + ": no gzip member at offset " + pos);
    }
    int flags = file[pos + 3] & 0xff;
    int p = pos + 10;
    if ((flags & 4) != 0) {
      p += 2 + ((file[p] & 0xff) | (file[p + 1] & 0xff) << 8);
    }
    if ((flags & 8) != 0) {
      while (file[p++] != 0) { }
    }
    if ((flags & 16) != 0) {
      while (file[p++] != 0) { }
    }
    if ((flags & 2) != 0) {
      p += 2;
    }
    Inflater inflater = new Inflater(true);
    try {
      inflater.setInput(file, p, file.length - p);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[64 * 1024];
      while (!inflater.finished()) {
        int n = inflater.inflate(buffer);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new ApkException(what + ": gzip member at offset " + pos + " is truncated");
        }
        out.write(buffer, 0, n);
      }
      int end = file.length - inflater.getRemaining() + 8;
      if (end > file.length) {
        throw new ApkException(what + ": gzip member at offset " + pos + " lacks its trailer");
      }
      return new Member(pos, end, out.toByteArray());
    } catch (DataFormatException e) {
      throw new ApkException(what + ": corrupt gzip member at offset " + pos + ": " + e.getMessage());
    } finally {
      inflater.end();
    }
  }

  /** Regular-file entries of a tar segment by name, in order; pax headers are skipped. */
  static Map<String, byte[]> tarEntries(byte[] tar, String what) {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    int pos = 0;
    while (pos + 512 <= tar.length && tar[pos] != 0) {
      String name = field(tar, pos, 100);
      // Only POSIX ustar headers carry a name prefix; GNU headers keep other fields there.
      boolean posix = field(tar, pos + 257, 6).equals("ustar") && tar[pos + 262] == 0;
      String prefix = posix ? field(tar, pos + 345, 155) : "";
      long size;
      try {
        size = Long.parseLong(field(tar, pos + 124, 12).trim(), 8);
      } catch (NumberFormatException e) {
        throw new ApkException(what + ": bad tar header at " + pos);
      }
      char type = (char) tar[pos + 156];
      int body = pos + 512;
      if (body + size > tar.length) {
        throw new ApkException(what + ": tar entry " + name + " is truncated");
      }
      if (type == '0' || type == 0) {
        String full = prefix.isEmpty() ? name : prefix + "/" + name;
        entries.put(full, java.util.Arrays.copyOfRange(tar, body, (int) (body + size)));
      }
      pos = body + (int) ((size + 511) / 512 * 512);
    }
    return entries;
  }

  private static String field(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }
}
