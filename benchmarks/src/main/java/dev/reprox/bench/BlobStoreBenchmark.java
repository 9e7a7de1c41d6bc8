package dev.reprox.bench;

import dev.reprox.storage.BlobReader;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.ScrubReport;
import dev.reprox.storage.Storage;
import dev.reprox.storage.rocks.RocksStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * RocksStorage write and read throughput next to plain {@link FileChannel} write and read of the
 * same bytes into a direct buffer, for 1 MiB and 50 MiB blobs, in one run. Store reads come in
 * three variants: the serving path with the hot-chunk cache empty (RocksDB, checksums off), the
 * hot cache, and scrub (checksums on plus SHA-256, what {@code reprox verify} does). Every figure
 * is the median of several passes after a warm-up pass, store and file passes alternating. Data
 * stays in the page cache for both sides, so this compares software overhead, not disks. Two
 * ratios are printed: wall clock, and CPU time of the reading thread (reads run on the calling
 * thread; on a shared, loaded machine the CPU-time ratio is the stable one).
 *
 * <p>Run from the repository root:
 * <pre>
 * ./mvnw -B -o -q -pl storage install -DskipTests &amp;&amp; ./mvnw -B -o -q -pl benchmarks compile exec:exec
 * </pre>
 * (optional: {@code -Dbench.dir=/some/dir} for the scratch directory, default under /tmp).
 * Targets (issue 2): serving-path read ≥ 0.6× FileChannel read, hot-cache read ≥ 0.9×.
 */
public final class BlobStoreBenchmark {
  private static final int PASSES = 7;
  private static final int READ_BUFFER = 1 << 20;
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private BlobStoreBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path root = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", System.getProperty("java.io.tmpdir"))),
        "reprox-bench");
    try {
      System.out.printf("%-34s %10s %10s %8s %10s%n", "case", "store MB/s", "file MB/s", "wall", "cpu-time");
      run(root, 1 << 20, 128);
      run(root, 50 << 20, 6);
    } finally {
      try (Stream<Path> files = Files.walk(root)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void run(Path root, int size, int count) throws Exception {
    String label = size >= (1 << 20) ? (size >> 20) + " MiB x " + count : size + " B x " + count;
    ByteBuffer data = ByteBuffer.allocateDirect(size);
    byte[] random = new byte[size];
    new Random(7).nextBytes(random);
    data.put(random).flip();
    Path files = Files.createDirectories(root.resolve("files-" + size));
    Path store = root.resolve("store-" + size);
    long total = (long) size * count;

    // Writes: every blob differs in its first bytes, so none is deduplicated.
    List<Digest> digests = new ArrayList<>();
    double[] storeWrite = new double[1];
    try (Storage s = RocksStorage.builder().path(store).hotCacheBytes(0).build()) {
      storeWrite[0] = mbps(total, time(() -> {
        for (int i = 0; i < count; i++) {
          data.putLong(0, 0x5eed_0000L + i);
          try (BlobWriter w = s.blobs().newWriter()) {
            w.write(data.duplicate());
            digests.add(w.commit(null, size).digest());
          }
        }
      }));
    }
    double fileWrite = mbps(total, time(() -> {
      for (int i = 0; i < count; i++) {
        data.putLong(0, 0x5eed_0000L + i);
        try (FileChannel ch = FileChannel.open(files.resolve("f" + i), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
          ByteBuffer src = data.duplicate();
          while (src.hasRemaining()) {
            ch.write(src);
          }
          ch.force(false); // the store's commit syncs its WAL; be as durable here
        }
      }
    }));
    row("write " + label, storeWrite[0], fileWrite);

    ByteBuffer dst = ByteBuffer.allocateDirect(READ_BUFFER);
    Body fileRead = () -> {
      for (int i = 0; i < count; i++) {
        try (FileChannel ch = FileChannel.open(files.resolve("f" + i), StandardOpenOption.READ)) {
          while (ch.read(dst.clear()) >= 0) {
            dst.flip();
          }
        }
      }
    };

    try (Storage s = RocksStorage.builder().path(store).hotCacheBytes(0).build()) {
      paired("read serving, cold cache " + label, () -> readAll(s, digests, dst), fileRead, total);
    }
    // The default reads blob files with pread; memory maps save a copy but count in RSS.
    try (Storage s = RocksStorage.builder().path(store).hotCacheBytes(0).mmapReads(true).build()) {
      paired("read serving, cold cache, mmap " + label, () -> readAll(s, digests, dst), fileRead, total);
    }
    long cacheBytes = Math.min(total + (64L << 20), 1L << 30);
    try (Storage s = RocksStorage.builder().path(store).hotCacheBytes(cacheBytes).build()) {
      readAll(s, digests, dst); // a chunk is admitted on its second miss
      readAll(s, digests, dst);
      paired("read hot cache " + label, () -> readAll(s, digests, dst), fileRead, total);
      System.out.printf("    (cache: %d hits, %d misses, %d MiB held)%n",
          s.stats().cacheHits(), s.stats().cacheMisses(), s.stats().cacheBytes() >> 20);
    }
    try (Storage s = RocksStorage.builder().path(store).hotCacheBytes(0).build()) {
      paired("read verified (scrub) " + label, () -> {
        ScrubReport r = s.blobs().scrub(d -> {
          throw new IllegalStateException("benchmark data damaged: " + d);
        });
        if (r.bytesChecked() != total) {
          throw new IllegalStateException("scrub checked " + r.bytesChecked() + " bytes, expected " + total);
        }
      }, fileRead, total);
    }
  }

  /**
   * Warms both up, then alternates store and file passes so both see the same machine load
   * (the build machines are shared); prints the median rates and the median of the per-pair
   * ratios.
   */
  private static void paired(String name, Body store, Body file, long bytes) throws Exception {
    store.run();
    file.run();
    double[] s = new double[PASSES];
    double[] f = new double[PASSES];
    double[] ratio = new double[PASSES];
    double[] cpuRatio = new double[PASSES];
    for (int i = 0; i < PASSES; i++) {
      long c0 = cpu();
      long storeNanos = time(store);
      long c1 = cpu();
      long fileNanos = time(file);
      long c2 = cpu();
      s[i] = mbps(bytes, storeNanos);
      f[i] = mbps(bytes, fileNanos);
      ratio[i] = s[i] / f[i];
      cpuRatio[i] = (double) (c2 - c1) / (c1 - c0);
    }
    Arrays.sort(s);
    Arrays.sort(f);
    Arrays.sort(ratio);
    Arrays.sort(cpuRatio);
    System.out.printf("%-34s %10.0f %10.0f %7.2fx %9.2fx%n", name, s[PASSES / 2], f[PASSES / 2], ratio[PASSES / 2],
        cpuRatio[PASSES / 2]);
  }

  /** CPU time of this thread: reads here run on the calling thread, and CPU time is steady on a busy machine. */
  private static long cpu() {
    return THREADS.getCurrentThreadCpuTime();
  }

  private static void readAll(Storage s, List<Digest> digests, ByteBuffer dst) throws IOException {
    for (Digest d : digests) {
      try (BlobReader r = s.blobs().open(d)) {
        long pos = 0;
        int n;
        while ((n = r.read(pos, dst.clear())) >= 0) {
          pos += n;
        }
      }
    }
  }

  interface Body {
    void run() throws Exception;
  }

  private static long time(Body body) throws Exception {
    long start = System.nanoTime();
    body.run();
    return System.nanoTime() - start;
  }

  private static double mbps(long bytes, long nanos) {
    return bytes / 1e6 / (nanos / 1e9);
  }

  private static void row(String name, double store, double file) {
    System.out.printf("%-34s %10.0f %10.0f %7.2fx %10s%n", name, store, file, store / file, "-");
  }
}
