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
  private final boolean owned;

  BlobContent(BlobReader reader) {
    this(reader, true);
  }

  private BlobContent(BlobReader reader, boolean owned) {
    this.reader = reader;
    this.owned = owned;
  }

  /** A client's content over a reader others share: closing it leaves the reader open. */
  static BlobContent shared(BlobReader reader) {
    return new BlobContent(reader, false);
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
    if (owned) {
      reader.close();
    }
  }
}
