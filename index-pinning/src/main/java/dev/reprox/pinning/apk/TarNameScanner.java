package dev.reprox.pinning.apk;

import dev.reprox.pinning.IndexParseException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the entry names of a tar stream fed in pieces, skipping the contents except those of
 * {@code .PKGINFO}, which are kept (bounded) for its {@code datahash} line. Used on one gzip member
 * of an .apk at a time to tell the signature member from the control member.
 */
final class TarNameScanner {
  private static final int MAX_NAMES = 10_000;
  // abuild writes a few KB; one with thousands of depends stays far below this.
  private static final int MAX_PKGINFO = 1 << 20;

  private final byte[] block = new byte[TarHeader.BLOCK];
  private final List<String> names = new ArrayList<>();
  private long position;
  private long nextHeader;
  private int fill;
  private boolean ended;
  private ByteArrayOutputStream pkginfo;
  private long pkginfoEnd;

  void update(byte[] b, int off, int len) throws IndexParseException {
    int end = off + len;
    while (off < end && !ended) {
      if (position < nextHeader) {
        int skip = (int) Math.min(end - off, nextHeader - position);
        if (pkginfo != null && position < pkginfoEnd) {
          pkginfo.write(b, off, (int) Math.min(skip, pkginfoEnd - position));
        }
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
    if (h.name().equals(".PKGINFO") && pkginfo == null) {
      if (h.size() > MAX_PKGINFO) {
        throw new IndexParseException("scan apk tar: .PKGINFO of " + h.size() + " bytes, more than " + MAX_PKGINFO);
      }
      pkginfo = new ByteArrayOutputStream((int) h.size());
      pkginfoEnd = position + h.size();
    }
  }

  /** The contents of the first {@code .PKGINFO} entry seen so far (complete once it streamed by), or null. */
  byte[] pkginfo() {
    return pkginfo == null ? null : pkginfo.toByteArray();
  }

  List<String> names() {
    return List.copyOf(names);
  }
}
