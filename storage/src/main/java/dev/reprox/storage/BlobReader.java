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

  @Override
  void close();
}
