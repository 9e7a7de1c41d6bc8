package dev.reprox.server.http;

/**
 * One satisfiable byte range of a body of known length, from a {@code Range} header. Only single
 * ranges are honoured (what apt sends to resume); a multi-range or malformed header is ignored,
 * as RFC 9110 allows, and the whole body is sent.
 */
record ByteRange(long first, long last) {
  /** The header cannot be satisfied for this length: 416. */
  static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

  long length() {
    return last - first + 1;
  }

  /** @return the range, {@link #UNSATISFIABLE}, or null to send the whole body */
  static ByteRange parse(String header, long size) {
    if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
      return null;
    }
    String spec = header.substring(6).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    try {
      String a = spec.substring(0, dash).trim();
      String b = spec.substring(dash + 1).trim();
      if (a.isEmpty()) {
        if (b.isEmpty()) {
          return null;
        }
        long suffix = Long.parseLong(b);
        if (suffix <= 0 || size == 0) {
          return UNSATISFIABLE;
        }
        return new ByteRange(Math.max(0, size - suffix), size - 1);
      }
      long first = Long.parseLong(a);
      long last = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
      if (first < 0 || (!b.isEmpty() && Long.parseLong(b) < first)) {
        return null;
      }
      if (first >= size) {
        return UNSATISFIABLE;
      }
      return new ByteRange(first, last);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
