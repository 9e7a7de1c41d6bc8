package dev.reprox.bench;

import dev.reprox.storage.BlobReader;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import dev.reprox.storage.rocks.RocksStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Does {@code reprox gc} give disk space back (issue 12)? Fills a RocksStorage with
 * {@code bench.fillMiB} (default 2048) of incompressible blobs of 64 KiB to 8 MiB, every other one
 * to be dropped, so dropped and kept chunks share every blob file (the worst case for BlobDB);
 * deletes the dropped half, runs {@link Storage#reclaimSpace} (what gc runs after its sweep) and
 * prints the data directory's size after each step, then re-reads every kept blob and checks its
 * SHA-256. Run from the repository root (no install; see benchmarks/run-gc-reclaim.sh):
 * <pre>
 * benchmarks/run-gc-reclaim.sh [-Dbench.fillMiB=2048] [-Dbench.dir=/some/dir]
 * </pre>
 * Target (issue 12): 2 GB filled, 1 GB unneeded, the directory shrinks by ≥ 0.8 GB.
 */
public final class GcReclaimBenchmark {
  private GcReclaimBenchmark() {}

  record Blob(Digest digest, long size, boolean drop) {}

  public static void main(String[] args) throws Exception {
    long fill = Long.getLong("bench.fillMiB", 2048) << 20;
    Path root = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", System.getProperty("java.io.tmpdir"))),
        "reprox-gc-bench");
    Path store = root.resolve("store");
    try {
      List<Blob> blobs = new ArrayList<>();
      SplittableRandom random = new SplittableRandom(12);
      ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
      long t0 = System.nanoTime();
      long written = 0;
      try (Storage s = RocksStorage.builder().path(store).build()) {
        while (written < fill) {
          long size = Math.min(fill - written, (64L << 10) + random.nextLong((8L << 20) - (64L << 10)));
          blobs.add(new Blob(write(s, random, buf, size), size, blobs.size() % 2 == 1));
          written += size;
        }
      }
      double fillSeconds = (System.nanoTime() - t0) / 1e9;
      long dropped = blobs.stream().filter(Blob::drop).mapToLong(Blob::size).sum();
      long afterFill = du(store);
      System.out.printf("filled   %6d blobs, %,d bytes in %.1f s; data directory %,d bytes%n", blobs.size(), written,
          fillSeconds, afterFill);
      try (Storage s = RocksStorage.builder().path(store).build()) {
        long t1 = System.nanoTime();
        for (Blob b : blobs) {
          if (b.drop()) {
            s.blobs().delete(b.digest());
          }
        }
        double deleteSeconds = (System.nanoTime() - t1) / 1e9;
        long afterDelete = du(store);
        System.out.printf("deleted  %6d blobs, %,d bytes in %.2f s; data directory %,d bytes%n",
            blobs.stream().filter(Blob::drop).count(), dropped, deleteSeconds, afterDelete);
        long t2 = System.nanoTime();
        String what = s.reclaimSpace();
        double reclaimSeconds = (System.nanoTime() - t2) / 1e9;
        long afterReclaim = du(store);
        System.out.printf("reclaim  %s in %.1f s; data directory %,d bytes%n", what, reclaimSeconds, afterReclaim);
        System.out.printf("shrank by %,d bytes (%.2f GB) of %,d deleted: %.0f %%; target >= 0.8 GB: %s%n",
            afterFill - afterReclaim, (afterFill - afterReclaim) / 1e9, dropped,
            100.0 * (afterFill - afterReclaim) / dropped, afterFill - afterReclaim >= 800_000_000L ? "PASS" : "MISS");
      }
      try (Storage s = RocksStorage.builder().path(store).build()) {
        long t3 = System.nanoTime();
        int ok = 0;
        for (Blob b : blobs) {
          if (!b.drop()) {
            if (!hash(s, b.digest(), buf).equals(b.digest())) {
              throw new AssertionError("kept blob " + b.digest() + " changed");
            }
            ok++;
          } else if (s.blobs().stat(b.digest()).isPresent()) {
            throw new AssertionError("dropped blob " + b.digest() + " is back");
          }
        }
        System.out.printf("re-read  %d kept blobs after reopen, every SHA-256 as written, in %.1f s%n", ok,
            (System.nanoTime() - t3) / 1e9);
      }
    } finally {
      try (Stream<Path> files = Files.walk(root)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static Digest write(Storage s, SplittableRandom random, ByteBuffer buf, long size) throws IOException {
    try (BlobWriter w = s.blobs().newWriter()) {
      long left = size;
      while (left > 0) {
        int n = (int) Math.min(left, buf.capacity());
        buf.clear();
        while (buf.position() + 8 <= n) {
          buf.putLong(random.nextLong());
        }
        while (buf.position() < n) {
          buf.put((byte) random.nextInt());
        }
        buf.flip();
        w.write(buf);
        left -= n;
      }
      return w.commit(null, size).digest();
    }
  }

  private static Digest hash(Storage s, Digest d, ByteBuffer buf) throws IOException {
    MessageDigest md = Digest.newHasher();
    try (BlobReader r = s.blobs().open(d)) {
      long pos = 0;
      int n;
      while ((n = r.read(pos, buf.clear())) > 0) {
        md.update(buf.flip());
        pos += n;
      }
    }
    return Digest.of(md.digest());
  }

  private static long du(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
