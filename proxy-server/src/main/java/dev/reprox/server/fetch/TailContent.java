package dev.reprox.server.fetch;

import dev.reprox.storage.TailReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** One client's tail of a blob still being written by an upstream fill. */
final class TailContent implements Content {
  private final TailReader tail;

  TailContent(TailReader tail) {
    this.tail = tail;
  }

  @Override
  public int read(long position, ByteBuffer dst) throws IOException {
    return tail.read(position, dst);
  }

  @Override
  public CompletableFuture<?> whenReadable(long position) {
    return tail.whenReadable(position);
  }

  /** Stops this client's waits; the fill goes on for the others and the store. */
  @Override
  public void close() {
    tail.close();
  }
}
