package dev.reprox.server.http;

import dev.reprox.server.fetch.Content;
import dev.reprox.storage.LentBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * A prepared small body ({@link PassThrough#prepare}) whose bytes were lent ahead, on the thread
 * that opened it: at the request's turn {@link BodyWriter} finds them as if hot and writes them on
 * the event loop, without the storage executor's hop that would otherwise leave a pipelining
 * client idle between two answers. Only the whole body from its start is lent ahead; a range
 * reads as usual. Bytes not taken go back to the store on close.
 */
final class PrelentContent implements Content {
  /** Bodies up to this size are lent ahead: sixteen queued ones hold at most 4 MiB. */
  static final int MAX = BodyWriter.CHUNK;

  private final Content inner;
  private LentBytes ahead;

  private PrelentContent(Content inner, LentBytes ahead) {
    this.inner = inner;
    this.ahead = ahead;
  }

  /** {@code content} with its first {@code length} bytes lent now when small; may block. */
  static Content of(Content content, long length) {
    if (length <= 0 || length > MAX) {
      return content;
    }
    LentBytes lent;
    try {
      lent = content.lend(0, (int) length);
    } catch (IOException | RuntimeException e) {
      return content; // the read at its turn meets (and reports) whatever this was
    }
    return lent == null ? content : new PrelentContent(content, lent);
  }

  @Override
  public synchronized LentBytes lendIfHot(long position, int max) {
    LentBytes lent = ahead;
    if (lent != null && position == 0 && lent.buffer().remaining() <= max) {
      ahead = null;
      return lent;
    }
    return inner.lendIfHot(position, max);
  }

  @Override
  public LentBytes lend(long position, int max) throws IOException {
    return inner.lend(position, max);
  }

  @Override
  public int read(long position, ByteBuffer dst) throws IOException {
    return inner.read(position, dst);
  }

  @Override
  public CompletableFuture<?> whenReadable(long position) {
    return inner.whenReadable(position);
  }

  @Override
  public void close() {
    LentBytes lent;
    synchronized (this) {
      lent = ahead;
      ahead = null;
    }
    if (lent != null) {
      lent.release();
    }
    inner.close();
  }
}
