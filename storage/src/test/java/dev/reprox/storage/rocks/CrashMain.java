package dev.reprox.storage.rocks;

import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;

/**
 * Run by {@link CrashTest} in a child JVM: starts a write of {@code args[1]} chunks of 64 KiB
 * (past 4 MiB, so both WAL-logged and unlogged ones) into a RocksStorage at {@code args[0]}, then halts the JVM without closing
 * anything, as a crash or a kill -9 would; with {@code args[2]} "verified", only once its commit's
 * checks passed (a fill releases the last byte then), before the commit makes it durable; with
 * "committed", once the commit returned (its entry synced). With {@code -Dcrash.blobFiles=true}
 * the store writes blob files (then it prints how many files exist, not chunks).
 */
final class CrashMain {
  private CrashMain() {}

  public static void main(String[] args) throws Exception {
    int chunks = Integer.parseInt(args[1]);
    boolean files = Boolean.getBoolean("crash.blobFiles");
    Storage storage = RocksStorage.builder().path(Path.of(args[0])).chunkSize(64 << 10).blobFiles(files).build();
    BlobWriter w = storage.blobs().newWriter();
    byte[] data = new byte[(64 << 10) * chunks + 100];
    new Random(1).nextBytes(data);
    w.write(ByteBuffer.wrap(data));
    System.out.println(files ? "files " + ((RocksStorage) storage).blobFiles()
        : "chunks " + ((RocksStorage) storage).chunkKeys());
    System.out.flush();
    if (args.length > 2 && args[2].equals("verified")) {
      // Dies where a fill has just released the body's last byte to its clients: the checks
      // passed, the store has not flushed or written the entry yet.
      w.commit(Digest.compute(data), data.length, (digest, size) -> {
        System.out.println("verified " + digest);
        System.out.flush();
        Runtime.getRuntime().halt(0);
      }, info -> { });
    }
    if (args.length > 2 && args[2].equals("committed")) {
      System.out.println("committed " + w.commit(Digest.compute(data), data.length).digest());
      System.out.flush();
    }
    Runtime.getRuntime().halt(0);
  }
}
