package dev.reprox.storage.shared;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.Digest;
import dev.reprox.storage.LentBytes;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads of a local copy stay within one chunk, however much the caller would take. */
class FileBlobReaderTest {
  private static final int CHUNK = 1 << 16;

  @TempDir
  Path dir;

  @Test
  void lend_restOfABigBody_buffersOneChunkNotTheRest() throws Exception {
    byte[] data = new byte[3 * CHUNK + 100];
    new Random(1).nextBytes(data);
    Path file = Files.write(dir.resolve("blob"), data);
    try (FileBlobReader reader = new FileBlobReader(Digest.compute(data), data.length, CHUNK,
        FileChannel.open(file, StandardOpenOption.READ), new HotChunks(0, CHUNK))) {
      LentBytes first = reader.lend(10, data.length - 10);
      assertThat(first.buffer().capacity()).as("buffer of a lend from 10").isEqualTo(CHUNK - 10);
      assertThat(bytes(first.buffer())).isEqualTo(java.util.Arrays.copyOfRange(data, 10, CHUNK));

      LentBytes last = reader.lend(3 * CHUNK, Integer.MAX_VALUE);
      assertThat(last.buffer().capacity()).isEqualTo(100);
      assertThat(bytes(last.buffer())).isEqualTo(java.util.Arrays.copyOfRange(data, 3 * CHUNK, data.length));
      assertThat(reader.lend(data.length, 1)).isNull();
    }
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
