package dev.reprox.server.fetch;

import dev.reprox.storage.BlobReader;
import dev.reprox.storage.LentBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** A committed blob as {@link Content}: always readable up to its end. */
final class BlobContent implements Content {
  private static final CompletableFuture<Void> READY = CompletableFuture.completedFuture(null);
  private final BlobReader reader;
  // What closing does: close the reader (owned), or hand a shared one back (once).
  private final Runnable onClose;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  BlobContent(BlobReader reader) {
    this(reader, reader::close);
  }

  private BlobContent(BlobReader reader, Runnable onClose) {
    this.reader = reader;
    this.onClose = onClose;
  }

  /**
   * A client's content over a reader others share: closing it leaves the reader open and runs
   * {@code handBack} once (the sharer counts its users).
   */
  static BlobContent shared(BlobReader reader, Runnable handBack) {
    return new BlobContent(reader, handBack);
  }

  @Override
  public int read(long position, ByteBuffer dst) throws IOException {
    return reader.read(position, dst);
  }

  @Override
  public LentBytes lendIfHot(long position, int max) {
    return reader.lendIfHot(position, max);
  }

  @Override
  public LentBytes lend(long position, int max) throws IOException {
    LentBytes lent = reader.lend(position, max);
    if (lent == null) {
      throw new IOException("lend: " + reader.digest() + " has no byte " + position + " (size " + reader.size() + ")");
    }
    return lent;
  }

  @Override
  public CompletableFuture<?> whenReadable(long position) {
    return READY;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      onClose.run();
    }
  }
}
