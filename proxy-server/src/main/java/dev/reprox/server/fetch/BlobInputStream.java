package dev.reprox.server.fetch;

import dev.reprox.storage.BlobReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** A stored blob as an {@link InputStream}, for streaming parsers (listings); closes the reader. */
public final class BlobInputStream extends InputStream {
  private final BlobReader reader;
  private long position;

  public BlobInputStream(BlobReader reader) {
    this.reader = reader;
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
    int n = reader.read(position, ByteBuffer.wrap(b, off, len));
    if (n > 0) {
      position += n;
    }
    return n;
  }

  @Override
  public void close() {
    reader.close();
  }
}
