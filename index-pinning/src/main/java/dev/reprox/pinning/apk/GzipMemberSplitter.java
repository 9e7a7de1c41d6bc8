package dev.reprox.pinning.apk;

import dev.reprox.pinning.IndexParseException;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Splits a stream of concatenated gzip members (RFC 1952) at the exact byte where each member
 * ends, fed in pieces as they arrive. apk signs and hashes the raw compressed bytes of single
 * members, so the boundaries must be exact; {@link java.util.zip.GZIPInputStream} hides them.
 * Each member's CRC-32 and length are checked. Not thread-safe.
 */
final class GzipMemberSplitter {
  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;
  private static final int MAX_HEADER = 64 * 1024;

  /** Receives the pieces of each member; {@code member} counts from 0. */
  interface Listener {
    /** Compressed bytes of {@code member}, header and trailer included. */
    void raw(int member, byte[] b, int off, int len);

    /** Decompressed bytes of {@code member}. */
    void inflated(int member, byte[] b, int off, int len) throws IndexParseException;

    /** {@code member} ended just before stream offset {@code end}; false stops splitting. */
    boolean memberEnd(int member, long end) throws IndexParseException;
  }

  private enum State { HEADER, BODY, TRAILER, STOPPED }

  private final Listener listener;
  private final String what;
  private final Inflater inflater = new Inflater(true);
  private final CRC32 crc = new CRC32();
  private final byte[] out = new byte[32 * 1024];
  private final byte[] header = new byte[MAX_HEADER];
  private final byte[] trailer = new byte[8];
  private State state = State.HEADER;
  private int member;
  private int fill;
  private boolean memberComplete;
  private long offset;

  GzipMemberSplitter(String what, Listener listener) {
    this.what = what;
    this.listener = listener;
  }

  /** Total bytes fed so far. */
  long offset() {
    return offset;
  }

  boolean stopped() {
    return state == State.STOPPED;
  }

  void update(byte[] b, int off, int len) throws IndexParseException {
    int start = off;
    int end = off + len;
    while (off < end && state != State.STOPPED) {
      int used = switch (state) {
        case HEADER -> header(b, off, end - off);
        case BODY -> body(b, off, end - off);
        case TRAILER -> trailer(b, off, end - off);
        case STOPPED -> throw new IllegalStateException();
      };
      if (used > 0) {
        listener.raw(member, b, off, used);
      }
      off += used;
      if (memberComplete) {
        memberComplete = false;
        boolean more = listener.memberEnd(member, offset + (off - start));
        member++;
        state = more ? State.HEADER : State.STOPPED;
      }
    }
    offset += len;
  }

  /** Checks the input ended between members, not inside one. */
  void finish() throws IndexParseException {
    if (state == State.STOPPED || (state == State.HEADER && fill == 0 && member > 0)) {
      return;
    }
    throw malformed(member == 0 && fill == 0 ? "empty input" : "truncated in gzip member " + member);
  }

  void close() {
    inflater.end();
  }

  private int header(byte[] b, int off, int len) throws IndexParseException {
    // Byte by byte: the header is a few dozen bytes and its length is only known once parsed.
    for (int i = 0; i < len; i++) {
      if (fill == MAX_HEADER) {
        throw malformed("gzip header of member " + member + " longer than " + MAX_HEADER + " bytes");
      }
      header[fill++] = b[off + i];
      int length = headerLength();
      if (length == fill) {
        fill = 0;
        inflater.reset();
        crc.reset();
        state = State.BODY;
        return i + 1;
      }
    }
    return len;
  }

  /** The full header length once {@code fill} bytes suffice to know it and are all there, else -1. */
  private int headerLength() throws IndexParseException {
    if (fill >= 1 && (header[0] & 0xff) != 0x1f || fill >= 2 && (header[1] & 0xff) != 0x8b) {
      throw malformed("not gzip at member " + member + " (offset " + offset + ")");
    }
    if (fill >= 3 && header[2] != 8) {
      throw malformed("gzip member " + member + " uses compression method " + header[2] + ", not deflate");
    }
    if (fill < 10) {
      return -1;
    }
    int flags = header[3] & 0xff;
    int pos = 10;
    if ((flags & FEXTRA) != 0) {
      if (fill < pos + 2) {
        return -1;
      }
      pos += 2 + ((header[pos] & 0xff) | (header[pos + 1] & 0xff) << 8);
    }
    for (int flag : new int[] {FNAME, FCOMMENT}) {
      if ((flags & flag) != 0) {
        while (pos < fill && header[pos] != 0) {
          pos++;
        }
        if (pos >= fill) {
          return -1;
        }
        pos++;
      }
    }
    if ((flags & FHCRC) != 0) {
      pos += 2;
    }
    return pos <= fill ? pos : -1;
  }

  private int body(byte[] b, int off, int len) throws IndexParseException {
    inflater.setInput(b, off, len);
    try {
      while (!inflater.finished() && !inflater.needsInput()) {
        if (inflater.needsDictionary()) {
          throw malformed("gzip member " + member + " needs a preset dictionary");
        }
        int n = inflater.inflate(out);
        if (n > 0) {
          crc.update(out, 0, n);
          listener.inflated(member, out, 0, n);
        }
      }
    } catch (DataFormatException e) {
      throw malformed("corrupt deflate data in gzip member " + member + ": " + e.getMessage());
    }
    if (inflater.finished()) {
      state = State.TRAILER;
      return len - inflater.getRemaining();
    }
    return len;
  }

  private int trailer(byte[] b, int off, int len) throws IndexParseException {
    int take = Math.min(len, 8 - fill);
    System.arraycopy(b, off, trailer, fill, take);
    fill += take;
    if (fill == 8) {
      fill = 0;
      long expectedCrc = le32(0);
      long expectedSize = le32(4);
      if (expectedCrc != crc.getValue() || expectedSize != (inflater.getBytesWritten() & 0xffffffffL)) {
        throw malformed("gzip member " + member + " fails its CRC-32 or length check");
      }
      memberComplete = true;
    }
    return take;
  }

  private long le32(int at) {
    return (trailer[at] & 0xffL) | (trailer[at + 1] & 0xffL) << 8 | (trailer[at + 2] & 0xffL) << 16
        | (trailer[at + 3] & 0xffL) << 24;
  }

  private IndexParseException malformed(String detail) {
    return new IndexParseException("split " + what + ": " + detail);
  }
}
