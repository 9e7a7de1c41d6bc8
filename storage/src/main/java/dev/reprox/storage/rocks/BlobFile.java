package dev.reprox.storage.rocks;

import dev.reprox.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Positional reads of one blob file, shared by the threads of one reader. The channel opens on
 * the first read (a reader served from the hot cache never opens it) and reopens once if another
 * thread's interrupt closed it under us: a {@link FileChannel} closes itself for every user when
 * one reading thread is interrupted.
 */
final class BlobFile implements AutoCloseable {
  private final Path path;
  private FileChannel channel;
  private boolean closed;

  BlobFile(Path path) {
    this.path = path;
  }

  /** Reads into {@code dst} at {@code position}: how many bytes, -1 at the end of the file. */
  int read(ByteBuffer dst, long position) throws IOException {
    for (int attempt = 0; ; attempt++) {
      FileChannel c = channel();
      try {
        return c.read(dst, position);
      } catch (ClosedByInterruptException e) {
        throw e; // this thread was interrupted: its read fails, the next one reopens
      } catch (ClosedChannelException e) {
        if (attempt > 0 || !forget(c)) {
          throw e;
        }
      }
    }
  }

  /** Fills {@code dst} from {@code position}; a file too short for it is damage. */
  void readFully(ByteBuffer dst, long position) throws IOException {
    long at = position;
    while (dst.hasRemaining()) {
      int n = read(dst, at);
      if (n < 0) {
        throw new StorageException("read: blob file " + path + " ends at " + at + ", expected more bytes");
      }
      at += n;
    }
  }

  private synchronized FileChannel channel() throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    if (channel == null) {
      try {
        channel = FileChannel.open(path, StandardOpenOption.READ);
      } catch (NoSuchFileException e) {
        throw new StorageException("read: blob file " + path + " is missing", e);
      }
    }
    return channel;
  }

  /** Drops a channel someone else's interrupt closed; false when this handle itself was closed. */
  private synchronized boolean forget(FileChannel c) {
    if (closed) {
      return false;
    }
    if (channel == c) {
      channel = null;
    }
    return true;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // A read-only descriptor: nothing was pending.
      }
      channel = null;
    }
  }
}
