package dev.reprox.server.fetch;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/** Reads a fetched body the way a client tailing it does, for the fetch tests. */
final class Bodies {
  private Bodies() {}

  /** What a client tailing {@code fetched} receives; throws when the body was cut. */
  static byte[] readAll(Fetched fetched) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    try (Content content = fetched.open()) {
      long pos = 0;
      while (true) {
        content.whenReadable(pos).get(20, TimeUnit.SECONDS);
        buf.clear();
        int n = content.read(pos, buf);
        if (n < 0) {
          return out.toByteArray();
        }
        out.write(buf.array(), 0, n);
        pos += n;
      }
    }
  }
}
