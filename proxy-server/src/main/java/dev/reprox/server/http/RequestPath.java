package dev.reprox.server.http;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A request target that passed the path-safety rules, split into decoded segments. Everything a
 * path could use to escape its repository or confuse a file system or an upstream is refused:
 * dot segments, percent-encoded dots, slashes and backslashes, backslashes, NUL and control
 * characters, empty segments ({@code //}), raw non-ASCII, malformed escapes and invalid or
 * overlong UTF-8.
 */
record RequestPath(List<String> segments) {
  static final int MAX_LENGTH = 4096;

  /** Why a target was refused: the short text the 400 response carries. */
  static final class Unsafe extends Exception {
    private static final long serialVersionUID = 1L;

    Unsafe(String reason) {
      super(reason);
    }
  }

  /** Parses the origin-form target ({@code /a/b?query}); the query is ignored. */
  static RequestPath parse(String target) throws Unsafe {
    if (target.length() > MAX_LENGTH) {
      throw new Unsafe("path longer than " + MAX_LENGTH + " characters");
    }
    String raw = target;
    int q = raw.indexOf('?');
    if (q >= 0) {
      raw = raw.substring(0, q);
    }
    if (!raw.startsWith("/")) {
      throw new Unsafe("path must start with /");
    }
    if (raw.startsWith("//")) {
      throw new Unsafe("path must not start with //");
    }
    List<String> segments = new ArrayList<>();
    String[] parts = raw.substring(1).split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      boolean last = i == parts.length - 1;
      if (part.isEmpty()) {
        if (last) {
          break; // a trailing slash names a directory; keep it out of the segments
        }
        throw new Unsafe("empty path segment (//)");
      }
      String segment = decode(part);
      if (segment.equals(".") || segment.equals("..")) {
        throw new Unsafe("dot segment in path");
      }
      segments.add(segment);
    }
    return new RequestPath(List.copyOf(segments));
  }

  private static String decode(String part) throws Unsafe {
    if (plain(part)) {
      return part; // printable ASCII without escapes is its own decoding: no buffers, no decoder
    }
    ByteBuffer bytes = ByteBuffer.allocate(part.length());
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c == '\\') {
        throw new Unsafe("backslash in path");
      }
      if (c <= 0x20 || c >= 0x7f) {
        throw new Unsafe("control, space or non-ASCII character in path (percent-encode UTF-8)");
      }
      if (c != '%') {
        bytes.put((byte) c);
        continue;
      }
      if (i + 2 >= part.length()) {
        throw new Unsafe("malformed percent escape");
      }
      int hi = Character.digit(part.charAt(i + 1), 16);
      int lo = Character.digit(part.charAt(i + 2), 16);
      if (hi < 0 || lo < 0) {
        throw new Unsafe("malformed percent escape");
      }
      int b = hi << 4 | lo;
      if (b == '.' || b == '/' || b == '\\') {
        throw new Unsafe("percent-encoded dot, slash or backslash in path");
      }
      if (b < 0x20 || b == 0x7f) {
        throw new Unsafe("percent-encoded NUL or control character in path");
      }
      bytes.put((byte) b);
      i += 2;
    }
    bytes.flip();
    try {
      // The strict decoder refuses overlong forms, surrogates and truncated sequences.
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new Unsafe("invalid UTF-8 in path");
    }
  }

  /** Printable ASCII (0x21..0x7e) without {@code %} or a backslash: the rules below have nothing to refuse. */
  private static boolean plain(String part) {
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '%' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  /** The first segment, or empty for {@code /}. */
  String first() {
    return segments.isEmpty() ? "" : segments.get(0);
  }

  /** The segments after the first, joined with {@code /}; empty when there are none. */
  String rest() {
    return segments.size() <= 1 ? "" : String.join("/", segments.subList(1, segments.size()));
  }
}
