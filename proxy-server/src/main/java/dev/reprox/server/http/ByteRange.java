package dev.reprox.server.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One satisfiable byte range of a body of known length, from a {@code Range} header, parsed by the
 * grammar of RFC 9110 §14.1.2 ({@code bytes=first-[last]} or {@code bytes=-suffix}, digits only,
 * optional whitespace only around the commas of a list). Only single ranges are honoured (what apt
 * sends to resume); a header that does not follow the grammar, names another unit, or asks for
 * several ranges is ignored, as RFC 9110 allows, and the whole body is sent.
 */
record ByteRange(long first, long last) {
  /** The header cannot be satisfied for this length: 416. */
  static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

  long length() {
    return last - first + 1;
  }

  /** @return the range, {@link #UNSATISFIABLE}, or null to send the whole body */
  static ByteRange parse(String header, long size) {
    if (header == null) {
      return null;
    }
    int eq = header.indexOf('=');
    if (eq < 0 || !header.substring(0, eq).toLowerCase(Locale.ROOT).equals("bytes")) {
      return null;
    }
    List<String> specs = new ArrayList<>();
    for (String element : header.substring(eq + 1).split(",", -1)) {
      String spec = element.strip();
      if (!spec.isEmpty()) { // a list may carry empty elements (RFC 9110 §5.6.1)
        if (!wellFormed(spec)) {
          return null;
        }
        specs.add(spec);
      }
    }
    if (specs.size() != 1) {
      return null;
    }
    String spec = specs.get(0);
    int dash = spec.indexOf('-');
    if (dash == 0) {
      long suffix = digits(spec.substring(1));
      if (suffix == 0 || size == 0) {
        return UNSATISFIABLE;
      }
      return new ByteRange(Math.max(0, size - suffix), size - 1);
    }
    long first = digits(spec.substring(0, dash));
    String lastText = spec.substring(dash + 1);
    long last = lastText.isEmpty() ? Long.MAX_VALUE : digits(lastText);
    if (last < first) {
      return null; // an invalid int-range makes the whole header invalid
    }
    if (first >= size) {
      return UNSATISFIABLE;
    }
    return new ByteRange(first, Math.min(last, size - 1));
  }

  /** {@code 1*DIGIT "-" *DIGIT} or {@code "-" 1*DIGIT}: no signs, no inner whitespace, one dash. */
  private static boolean wellFormed(String spec) {
    int dash = spec.indexOf('-');
    if (dash < 0 || dash != spec.lastIndexOf('-')) {
      return false;
    }
    String a = spec.substring(0, dash);
    String b = spec.substring(dash + 1);
    return allDigits(a) && allDigits(b) && !(a.isEmpty() && b.isEmpty());
  }

  private static boolean allDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** Saturates at {@link Long#MAX_VALUE}: a position past any body is still a valid position. */
  private static long digits(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      int d = s.charAt(i) - '0';
      if (n > (Long.MAX_VALUE - d) / 10) {
        return Long.MAX_VALUE;
      }
      n = n * 10 + d;
    }
    return n;
  }
}
