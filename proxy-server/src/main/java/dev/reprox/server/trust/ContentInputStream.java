package dev.reprox.server.trust;

import dev.reprox.server.fetch.Content;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;

/**
 * A body that may still be arriving (a listing's fill) as a blocking {@link InputStream}, for the
 * streaming listing parsers: a read waits for the next bytes. It blocks its thread, so it is read
 * only on the listing indexer's own thread, never an event loop or the writes' executor. A fill
 * holds its last byte until its digest is checked, so the stream ends only on verified bytes; a
 * failed fill fails the read. Closes the content.
 */
final class ContentInputStream extends InputStream {
  private final Content content;
  private long position;

  ContentInputStream(Content content) {
    this.content = content;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n <= 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (true) {
      int n = content.read(position, ByteBuffer.wrap(b, off, len));
      if (n > 0) {
        position += n;
        return n;
      }
      if (n < 0) {
        return -1;
      }
      try {
        content.whenReadable(position).get();
      } catch (ExecutionException e) {
        throw new IOException("listing body failed at byte " + position + ": " + e.getCause(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted waiting for the listing at byte " + position);
      }
    }
  }

  @Override
  public void close() {
    content.close();
  }
}
