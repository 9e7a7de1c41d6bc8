package dev.reprox.server;

/**
 * The one escaping function for request data (paths, queries, build labels, URLs) written to log
 * lines. A client chooses those bytes: raw, an ESC starts a terminal escape sequence in whoever
 * tails the log, and a line break (CR, LF, NEL, U+2028/2029) forges a log line. C0 and C1
 * controls, DEL, line and paragraph separators and Unicode format characters (bidi overrides)
 * become {@code \\xHH} or {@code \\uHHHH}; a backslash is doubled, so the escaped form is
 * unambiguous. Everything else, including printable non-ASCII text, is kept as it is.
 */
public final class LogSafe {
  private LogSafe() {}

  /** {@code value}'s text, escaped; "null" for null. */
  public static String escape(Object value) {
    String s = String.valueOf(value);
    int i = 0;
    while (i < s.length() && !needsEscape(s.charAt(i))) {
      i++;
    }
    if (i == s.length()) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length() + 16).append(s, 0, i);
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        out.append("\\\\");
      } else if (!needsEscape(c)) {
        out.append(c);
      } else if (c <= 0xff) {
        out.append(String.format("\\x%02x", (int) c));
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out.toString();
  }

  private static boolean needsEscape(char c) {
    if (c == '\\' || c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      return true;
    }
    if (c < 0xa0) {
      return false;
    }
    int type = Character.getType(c);
    return type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR || type == Character.FORMAT
        || type == Character.UNASSIGNED || type == Character.PRIVATE_USE;
  }
}
