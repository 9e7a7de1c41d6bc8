package dev.reprox.pinning.apk;

import dev.reprox.pinning.IndexParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the entry names of a tar stream fed in pieces, skipping the contents. Used on one gzip
 * member of an .apk at a time to tell the signature member from the control member.
 */
final class TarNameScanner {
  private static final int MAX_NAMES = 10_000;

  private final byte[] block = new byte[TarHeader.BLOCK];
  private final List<String> names = new ArrayList<>();
  private long position;
  private long nextHeader;
  private int fill;
  private boolean ended;

  void update(byte[] b, int off, int len) throws IndexParseException {
    int end = off + len;
    while (off < end && !ended) {
      if (position < nextHeader) {
        int skip = (int) Math.min(end - off, nextHeader - position);
        off += skip;
        position += skip;
        continue;
      }
      int take = Math.min(end - off, TarHeader.BLOCK - fill);
      System.arraycopy(b, off, block, fill, take);
      fill += take;
      off += take;
      position += take;
      if (fill == TarHeader.BLOCK) {
        fill = 0;
        header();
      }
    }
  }

  private void header() throws IndexParseException {
    TarHeader h;
    try {
      h = TarHeader.parse(block, 0);
    } catch (IllegalArgumentException e) {
      throw new IndexParseException("scan apk tar: " + e.getMessage());
    }
    if (h == null) {
      ended = true;
      return;
    }
    if (names.size() == MAX_NAMES) {
      throw new IndexParseException("scan apk tar: more than " + MAX_NAMES + " entries in one member");
    }
    names.add(h.name());
    nextHeader = position + h.span() - TarHeader.BLOCK;
  }

  List<String> names() {
    return List.copyOf(names);
  }
}
