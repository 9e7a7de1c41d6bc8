package dev.reprox.server.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;

/**
 * A kept answer's fixed response headers, encoded once as the bytes the HTTP encoder would write
 * for them, and carried through the pipeline as a single header entry: the first header's name,
 * and as its value that header's value followed by every further {@code CRLF name: value}. The
 * encoder writes an entry as {@code name: value CRLF}, so the bytes on the wire are exactly those
 * of the separate headers, in their order; it copies one value instead of formatting each header,
 * and a response copies one entry instead of each header into its own table (a warm hit's head was
 * built and encoded header by header on every request, issue 14).
 *
 * <p>Only for headers whose names and values reprox makes itself (constants, digests, numbers,
 * dates): a CR or LF inside one would end up on the wire. The handlers after the request handler
 * read only Content-Length, Connection, Transfer-Encoding and Date, which stay separate entries;
 * a folded header is invisible to {@link HttpHeaders#get}, so code that needs one of its values
 * (the ETag, for a condition) reads the headers it was made from.
 */
final class HeadBlock {
  private static final AsciiString SEPARATOR = AsciiString.cached(": ");
  private static final AsciiString CRLF = AsciiString.cached("\r\n");

  private final AsciiString name;
  private final AsciiString value;

  private HeadBlock(AsciiString name, AsciiString value) {
    this.name = name;
    this.value = value;
  }

  /**
   * The block of {@code headers}, in their order; null when there are none or one holds a CR, an
   * LF or a non-ASCII character (the caller then sends the headers one by one, checked as usual).
   */
  static HeadBlock of(HttpHeaders headers) {
    Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
    if (!it.hasNext()) {
      return null;
    }
    Map.Entry<CharSequence, CharSequence> first = it.next();
    StringBuilder folded = new StringBuilder(256);
    if (!plain(first.getKey()) || !plain(first.getValue())) {
      return null;
    }
    folded.append(first.getValue());
    while (it.hasNext()) {
      Map.Entry<CharSequence, CharSequence> e = it.next();
      if (!plain(e.getKey()) || !plain(e.getValue())) {
        return null;
      }
      folded.append(CRLF).append(e.getKey()).append(SEPARATOR).append(e.getValue());
    }
    return new HeadBlock(AsciiString.of(first.getKey()), new AsciiString(folded));
  }

  /** ASCII without CR or LF: what may go into a block as it is. */
  private static boolean plain(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\r' || c == '\n' || c > 0x7f) {
        return false;
      }
    }
    return true;
  }

  /** Adds the block to {@code h} as its one entry; {@code h} must not validate values (CRLF). */
  void addTo(HttpHeaders h) {
    h.add(name, value);
  }
}
