package dev.reprox.server.fetch;

import dev.reprox.storage.BlobReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** A committed blob as {@link Content}: always readable up to its end. */
final class BlobContent implements Content {
  private static final CompletableFuture<Void> READY = CompletableFuture.completedFuture(null);
  private final BlobReader reader;

  BlobContent(BlobReader reader) {
    this.reader = reader;
  }

  @Override
  public int read(long position, ByteBuffer dst) throws IOException {
    return reader.read(position, dst);
  }

  @Override
  public CompletableFuture<?> whenReadable(long position) {
    return READY;
  }

  @Override
  public void close() {
    reader.close();
  }
}
