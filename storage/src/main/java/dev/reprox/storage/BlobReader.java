package dev.reprox.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Positional reads of one committed blob; thread-safe, so one reader may serve several Range
 * requests. Reads go into the caller's buffer (direct buffers are the fast path) and never load
 * the whole blob.
 */
public interface BlobReader extends AutoCloseable {
  Digest digest();

  long size();

  /**
   * Reads up to {@code dst.remaining()} bytes starting at {@code position}; returns how many were
   * read, or -1 when {@code position >= size()}. May read fewer bytes than asked (at a chunk edge).
   */
  int read(long position, ByteBuffer dst) throws IOException;

  /**
   * The bytes at {@code position}, lent without a copy, when the store has them in memory already;
   * otherwise null. Never blocks, so the event loop may call it. The view ends at
   * {@code position + max} or at the store's chunk edge, whichever comes first.
   */
  default LentBytes lendIfHot(long position, int max) {
    return null;
  }

  /**
   * The bytes at {@code position} (at most {@code max}, at least one), lent: from memory when hot,
   * else read into a buffer the store owns and takes back on release. May block. Null when
   * {@code position >= size()}.
   */
  default LentBytes lend(long position, int max) throws IOException {
    if (position >= size()) {
      return null;
    }
    ByteBuffer dst = ByteBuffer.allocateDirect((int) Math.min(max, size() - position));
    int n = read(position, dst);
    if (n <= 0) {
      throw new IOException("lend: read of " + digest() + " at " + position + " returned " + n);
    }
    return LentBytes.copied(dst.flip());
  }

  @Override
  void close();
}
