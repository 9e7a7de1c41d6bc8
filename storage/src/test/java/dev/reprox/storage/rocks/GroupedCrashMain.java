package dev.reprox.storage.rocks;

import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;

/**
 * Run by {@link CrashTest} in a child JVM: a store at {@code args[0]} with its WAL synced only
 * every 1000 durable writes ({@link RocksStorage.Builder#groupSync}), {@code args[1]} blobs of 100 KiB
 * committed (none of them synced), then a write left half-done, then the JVM halts without
 * closing anything, as a kill -9 would. Prints each committed digest. With
 * {@code -Dcrash.blobFiles=true} the blobs go to files.
 */
final class GroupedCrashMain {
  static final int BLOB = 100 << 10;

  private GroupedCrashMain() {}

  public static void main(String[] args) throws Exception {
    int blobs = Integer.parseInt(args[1]);
    Storage storage = RocksStorage.builder().path(Path.of(args[0])).chunkSize(64 << 10).groupSync(1000)
        .blobFiles(Boolean.getBoolean("crash.blobFiles")).build();
    Random random = new Random(7);
    for (int i = 0; i < blobs; i++) {
      byte[] data = new byte[BLOB];
      random.nextBytes(data);
      BlobWriter w = storage.blobs().newWriter();
      w.write(ByteBuffer.wrap(data));
      System.out.println("committed " + w.commit(Digest.compute(data), data.length).digest());
    }
    BlobWriter half = storage.blobs().newWriter();
    half.write(ByteBuffer.wrap(new byte[3 * (64 << 10) + 5]));
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }
}
