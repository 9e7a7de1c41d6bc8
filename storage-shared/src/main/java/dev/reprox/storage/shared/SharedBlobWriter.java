package dev.reprox.storage.shared;

import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobReader;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.DigestMismatchException;
import dev.reprox.storage.SizeMismatchException;
import dev.reprox.storage.StorageException;
import dev.reprox.storage.TailReader;
import dev.reprox.storage.internal.FollowingTailReader;
import dev.reprox.storage.internal.TailSource;
import dev.reprox.storage.internal.WriteProgress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * Streams a new blob into a temporary file of the local cache, hashing as it goes; tails read the
 * file. Commit checks the digest and size, then hands the file to the store, which uploads it and
 * records it (see {@link SharedBlobStore#commit}).
 */
final class SharedBlobWriter implements BlobWriter, TailSource {
  private final SharedBlobStore store;
  private final Path temp;
  private final FileChannel channel;
  private final int chunkSize;
  private final MessageDigest hasher = Digest.newHasher();
  private final WriteProgress progress = new WriteProgress();
  private volatile BlobReader committedReader;
  private long written;

  SharedBlobWriter(SharedBlobStore store, Path temp, int chunkSize) throws StorageException {
    this.store = store;
    this.temp = temp;
    this.chunkSize = chunkSize;
    try {
      this.channel = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      LocalCache.deleteQuietly(temp);
      throw new StorageException("new writer: open " + temp + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void write(ByteBuffer src) throws IOException {
    ensureOpen("write");
    hasher.update(src.duplicate());
    while (src.hasRemaining()) {
      written += channel.write(src);
    }
    progress.advance(written);
  }

  @Override
  public long written() {
    return progress.written();
  }

  @Override
  public BlobInfo commit(Digest expected, long expectedSize, Committed beforeTails) throws IOException {
    ensureOpen("commit");
    long size = written;
    if (expectedSize >= 0 && expectedSize != size) {
      SizeMismatchException e = new SizeMismatchException(expectedSize, size);
      abandon(e.getMessage());
      throw e;
    }
    Digest actual = Digest.of(hasher.digest());
    if (expected != null && !expected.equals(actual)) {
      DigestMismatchException e = new DigestMismatchException(expected, actual);
      abandon(e.getMessage());
      throw e;
    }
    BlobInfo info;
    try {
      info = store.commit(temp, actual, size);
    } catch (IOException | RuntimeException e) {
      abandon("commit failed: " + e.getMessage());
      throw e;
    }
    try {
      beforeTails.accept(info);
    } finally {
      progress.commit(info);
    }
    return info;
  }

  @Override
  public void cancel() {
    abandon("write cancelled after " + progress.written() + " bytes");
  }

  @Override
  public TailReader tail() {
    return new FollowingTailReader(progress, this);
  }

  @Override
  public void close() {
    if (progress.open()) {
      abandon("write closed without commit after " + progress.written() + " bytes");
    } else {
      closeChannel();
    }
  }

  @Override
  public int readWritten(long position, ByteBuffer dst, long limit) throws IOException {
    return FileBlobReader.read(channel, position, dst, limit, chunkSize);
  }

  @Override
  public int readCommitted(BlobInfo committed, long position, ByteBuffer dst) throws IOException {
    try {
      return FileBlobReader.read(channel, position, dst, committed.size(), chunkSize);
    } catch (ClosedChannelException e) {
      // The writer was closed while a tail lagged behind: read the stored blob instead.
      BlobReader r = committedReader;
      if (r == null) {
        synchronized (this) {
          r = committedReader;
          if (r == null) {
            r = store.open(committed.digest());
            committedReader = r;
          }
        }
      }
      return r.read(position, dst);
    }
  }

  private void abandon(String reason) {
    progress.cancel(reason);
    closeChannel();
    LocalCache.deleteQuietly(temp);
  }

  private void closeChannel() {
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing buffered: the bytes were written with write(), not mapped.
    }
  }

  private void ensureOpen(String op) throws StorageException {
    if (!progress.open()) {
      throw new StorageException(op + ": writer already " + (progress.cancelled() ? "cancelled" : "committed"));
    }
  }
}
