package dev.reprox.bench;

import dev.reprox.storage.BlobReader;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import dev.reprox.storage.rocks.RocksStorage;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * RocksStorage's two blob tiers side by side (issue 11/14): every blob in RocksDB chunks
 * ({@code blobFiles(false)}) against every blob in a file of its own ({@code blobFileThreshold(0)}),
 * for several blob sizes. Reports process CPU time (all threads: RocksDB's flush and WAL threads
 * count), not wall time: the build machines are shared and loaded. A write pass opens a fresh
 * store, writes and commits every blob (synced, as a server does) and closes the store (which
 * flushes the memtable: chunks are written a second time into blob files then); a read pass opens
 * the store with the hot cache off and reads every blob through a 1 MiB direct buffer. Passes
 * alternate chunks/files; each figure is the median of {@code PASSES}.
 *
 * <pre>
 * benchmarks/run-blobtier.sh [scratch dir]
 * (the reactor build and a java -cp run of this class)
 * </pre>
 */
public final class BlobTierBenchmark {
  private static final int PASSES = 3;
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private BlobTierBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path root = Files.createTempDirectory(Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir")),
        "reprox-tier");
    try {
      System.out.printf("%-18s %-7s %14s %14s %12s %12s%n", "blobs", "tier", "write ms/100MB", "read ms/100MB",
          "write us/blob", "read us/blob");
      run(root, 4 << 10, 1000);
      run(root, 16 << 10, 500);
      run(root, 64 << 10, 400);
      run(root, 256 << 10, 200);
      run(root, 470_000, 220);
      run(root, 4 << 20, 25);
      run(root, 50 << 20, 2);
    } finally {
      try (Stream<Path> files = Files.walk(root)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static RocksStorage.Builder store(Path dir, boolean files) {
    RocksStorage.Builder b = RocksStorage.builder().path(dir).hotCacheBytes(0);
    return files ? b.blobFiles(true).blobFileThreshold(0) : b.blobFiles(false);
  }

  private static void run(Path root, int size, int count) throws Exception {
    ByteBuffer data = ByteBuffer.allocateDirect(size);
    byte[] random = new byte[size];
    new Random(7).nextBytes(random);
    data.put(random).flip();
    long[][] write = new long[2][PASSES + 1];
    long[][] read = new long[2][PASSES + 1];
    Path[] last = new Path[2];
    List<List<Digest>> digests = List.of(new ArrayList<>(), new ArrayList<>());
    ByteBuffer dst = ByteBuffer.allocateDirect(1 << 20);
    for (int pass = 0; pass <= PASSES; pass++) { // pass 0 warms up
      for (int tier = 0; tier < 2; tier++) {
        Path dir = root.resolve("s" + size + "-" + tier + "-" + pass);
        List<Digest> ds = digests.get(tier);
        ds.clear();
        Storage s = store(dir, tier == 1).build();
        long c0 = OS.getProcessCpuTime();
        for (int i = 0; i < count; i++) {
          data.putLong(0, ((long) pass << 32) + i); // every blob differs: no dedup
          try (BlobWriter w = s.blobs().newWriter()) {
            w.write(data.duplicate());
            ds.add(w.commit(null, size).digest());
          }
        }
        s.close();
        write[tier][pass] = OS.getProcessCpuTime() - c0;
        try (Storage r = store(dir, tier == 1).build()) {
          long c1 = OS.getProcessCpuTime();
          for (Digest d : ds) {
            try (BlobReader br = r.blobs().open(d)) {
              long pos = 0;
              int n;
              while ((n = br.read(pos, dst.clear())) >= 0) {
                pos += n;
              }
            }
          }
          read[tier][pass] = OS.getProcessCpuTime() - c1;
        }
        if (last[tier] != null) {
          delete(last[tier]);
        }
        last[tier] = dir;
      }
    }
    delete(last[0]);
    delete(last[1]);
    double total = (double) size * count;
    String label = (size >= (1 << 20) ? (size >> 20) + " MiB" : size >= 1000 ? size / 1024 + " KiB" : size + " B")
        + " x " + count;
    for (int tier = 0; tier < 2; tier++) {
      long w = median(write[tier]);
      long r = median(read[tier]);
      System.out.printf("%-18s %-7s %14.0f %14.0f %12.0f %12.0f%n", label, tier == 0 ? "chunks" : "files",
          w / 1e6 * 100e6 / total, r / 1e6 * 100e6 / total, w / 1e3 / count, r / 1e3 / count);
    }
  }

  private static long median(long[] passes) {
    long[] p = Arrays.copyOfRange(passes, 1, passes.length);
    Arrays.sort(p);
    return p[p.length / 2];
  }

  private static void delete(Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
