package dev.reprox.server;

import dev.reprox.storage.StorageStats;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * {@code reprox.store.disk.bytes}: the size of the files under the data directory. Walking a big
 * store takes a while, so a thread of its own walks it at start and then every {@code period};
 * the gauge (read by a scrape on an event loop) only returns the last figure. A store in memory
 * (tests) has a data directory with nothing in it: 0. A store's blob files (one a package, so
 * millions in a big archive) are not walked: their bytes come from the store's own count ({@code
 * fileBytes}), which it keeps as it commits and deletes.
 */
final class DiskUsage implements AutoCloseable {
  private final Path directory;
  private final AtomicLong bytes = new AtomicLong();
  private final ScheduledExecutorService walker;
  private final LongSupplier fileBytes;

  /**
   * {@code walker}: a single thread of its own ({@link ThreadPools#diskUsage()}); closed with this.
   * {@code fileBytes}: the bytes of the blob files, whose directories are skipped.
   */
  DiskUsage(Path directory, Duration period, MeterRegistry registry, ScheduledExecutorService walker,
      LongSupplier fileBytes) {
    this.directory = directory;
    this.walker = walker;
    this.fileBytes = fileBytes;
    Gauge.builder("reprox.store.disk.bytes", bytes, AtomicLong::get)
        .description("bytes of the files under the data directory (walked every " + period.toSeconds() + " s)")
        .baseUnit("bytes").register(registry);
    walker.scheduleWithFixedDelay(this::walk, 0, period.toMillis(), TimeUnit.MILLISECONDS);
  }

  long bytes() {
    return bytes.get();
  }

  private void walk() {
    long[] sum = {0};
    try {
      Files.walkFileTree(directory, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          return dir.getFileName() != null
              && dir.getFileName().toString().equals(StorageStats.BLOB_FILES_DIRECTORY)
              ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          sum[0] += attrs.size();
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE; // a file the store deleted meanwhile
        }
      });
      bytes.set(sum[0] + fileBytes.getAsLong());
    } catch (IOException | RuntimeException e) {
      // No directory (yet): keep the last figure; the next walk tries again.
    }
  }

  @Override
  public void close() {
    walker.shutdownNow();
  }
}
