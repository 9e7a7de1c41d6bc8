package dev.reprox.storage.shared;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.Digest;
import dev.reprox.storage.LentBytes;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hot chunks a local copy's reader lends on the event loop, without PostgreSQL or S3. */
class HotChunksTest {
  private static final int CHUNK = 4096;

  @TempDir Path dir;

  @Test
  void lendIfHot_afterSecondMissOfAChunk_lendsItsBytes() throws Exception {
    byte[] data = bytes(3 * CHUNK + 100);
    Digest digest = Digest.compute(data);
    try (FileChannel ch = FileChannel.open(Files.write(dir.resolve("blob"), data));
        FileBlobReader reader = new FileBlobReader(digest, data.length, CHUNK, ch, new HotChunks(1 << 20, CHUNK))) {
      assertThat(reader.lendIfHot(CHUNK + 10, 50)).isNull();

      release(reader.lend(CHUNK + 10, 50)); // first miss: only remembered
      assertThat(reader.lendIfHot(CHUNK + 10, 50)).isNull();
      release(reader.lend(CHUNK, CHUNK)); // second miss of the same chunk: admitted
      LentBytes hot = reader.lendIfHot(CHUNK + 10, 50);

      assertThat(hot).isNotNull();
      assertThat(bytesOf(hot)).isEqualTo(Arrays.copyOfRange(data, CHUNK + 10, CHUNK + 60));
      hot.release();
      // A view ends at the chunk edge, and the last chunk is short.
      release(reader.lend(3 * CHUNK, CHUNK));
      release(reader.lend(3 * CHUNK, CHUNK));
      LentBytes tail = reader.lendIfHot(3 * CHUNK + 1, Integer.MAX_VALUE);
      assertThat(bytesOf(tail)).isEqualTo(Arrays.copyOfRange(data, 3 * CHUNK + 1, data.length));
      tail.release();
    }
  }

  @Test
  void lend_missesAndHits_returnTheFileBytes_andNullAtTheEnd() throws Exception {
    byte[] data = bytes(2 * CHUNK);
    Digest digest = Digest.compute(data);
    try (FileChannel ch = FileChannel.open(Files.write(dir.resolve("blob"), data));
        FileBlobReader reader = new FileBlobReader(digest, data.length, CHUNK, ch, new HotChunks(1 << 20, CHUNK))) {
      for (int round = 0; round < 3; round++) {
        LentBytes lent = reader.lend(100, 3 * CHUNK);
        assertThat(bytesOf(lent)).isEqualTo(Arrays.copyOfRange(data, 100, CHUNK));
        lent.release();
      }
      assertThat(reader.lend(data.length, 10)).isNull();
    }
  }

  @Test
  void invalidate_dropsTheChunks() throws Exception {
    byte[] data = bytes(CHUNK);
    Digest digest = Digest.compute(data);
    HotChunks hot = new HotChunks(1 << 20, CHUNK);
    try (FileChannel ch = FileChannel.open(Files.write(dir.resolve("blob"), data))) {
      release(hot.lend(digest, data.length, CHUNK, ch, 0, CHUNK));
      release(hot.lend(digest, data.length, CHUNK, ch, 0, CHUNK));
      assertThat(hot.weightedBytes()).isEqualTo(CHUNK);

      hot.invalidate(digest, data.length, CHUNK);

      assertThat(hot.lendIfHot(digest, data.length, CHUNK, 0, CHUNK)).isNull();
    }
  }

  private static void release(LentBytes lent) {
    assertThat(lent).isNotNull();
    lent.release();
  }

  private static byte[] bytesOf(LentBytes lent) {
    ByteBuffer b = lent.buffer().duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static byte[] bytes(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }
}
