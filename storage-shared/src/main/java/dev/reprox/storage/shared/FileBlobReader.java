package dev.reprox.storage.shared;

import dev.reprox.storage.BlobReader;
import dev.reprox.storage.Digest;
import dev.reprox.storage.LentBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Positional reads of a verified local copy. Reads stop at the store's chunk edges, as the other
 * stores' do, so the serving path sees the same slicing whichever store is behind it.
 */
final class FileBlobReader implements BlobReader {
  private final Digest digest;
  private final long size;
  private final int chunkSize;
  private final FileChannel channel;

  FileBlobReader(Digest digest, long size, int chunkSize, FileChannel channel) {
    this.digest = digest;
    this.size = size;
    this.chunkSize = chunkSize;
    this.channel = channel;
  }

  @Override
  public Digest digest() {
    return digest;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public int read(long position, ByteBuffer dst) throws IOException {
    return read(channel, position, dst, size, chunkSize);
  }

  /**
   * A buffer of the bytes up to the next chunk edge (or {@code max}), read from the file. Not
   * {@link BlobReader}'s default, which sizes its buffer by {@code max}: the serving path asks for
   * the rest of the body, and 32 clients of a 50 MiB package ran a replica out of direct memory
   * while each read filled one chunk of its 47 MiB buffer.
   */
  @Override
  public LentBytes lend(long position, int max) throws IOException {
    if (position >= size) {
      return null;
    }
    long edge = Math.min(size, (position / chunkSize + 1) * chunkSize);
    ByteBuffer dst = ByteBuffer.allocateDirect((int) Math.min(max, edge - position));
    int n = read(position, dst);
    if (n <= 0) {
      throw new IOException("lend: read of " + digest + " at " + position + " returned " + n);
    }
    return LentBytes.copied(dst.flip());
  }

  /** Reads at {@code position} up to the chunk edge, {@code end} or the buffer's room; -1 at the end. */
  static int read(FileChannel channel, long position, ByteBuffer dst, long end, int chunkSize) throws IOException {
    if (position >= end) {
      return -1;
    }
    if (!dst.hasRemaining()) {
      return 0;
    }
    long edge = Math.min(end, (position / chunkSize + 1) * chunkSize);
    int want = (int) Math.min(dst.remaining(), edge - position);
    ByteBuffer slice = dst.duplicate();
    slice.limit(slice.position() + want);
    int total = 0;
    while (slice.hasRemaining()) {
      int n = channel.read(slice, position + total);
      if (n < 0) {
        throw new IOException("read " + channel + ": file ends at " + (position + total) + ", expected " + end);
      }
      total += n;
    }
    dst.position(dst.position() + total);
    return total;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Read-only: nothing is lost when close fails.
    }
  }
}
