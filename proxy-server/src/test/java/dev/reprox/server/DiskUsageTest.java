package dev.reprox.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.StorageStats;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory's size without a stat of every blob file: the walk skips the store's blob
 * files directory and takes their bytes from the store's own count.
 */
class DiskUsageTest {
  @TempDir
  Path data;

  @Test
  void walk_skipsBlobFiles_takesTheirBytesFromTheStore() throws Exception {
    Files.createDirectories(data.resolve("store").resolve(StorageStats.BLOB_FILES_DIRECTORY).resolve("0a"));
    Files.write(data.resolve("store").resolve("000012.sst"), new byte[1000]);
    Files.write(data.resolve("store").resolve("LOG"), new byte[234]);
    Files.write(data.resolve("store").resolve(StorageStats.BLOB_FILES_DIRECTORY).resolve("0a").resolve("000000000000000a"),
        new byte[50_000]);
    // The store's count is what the gauge reports for the files: a walk that also stat'ed them
    // would report 50,000 bytes more.
    long counted = 70_000;
    ScheduledExecutorService walker = Executors.newSingleThreadScheduledExecutor();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (DiskUsage usage = new DiskUsage(data, Duration.ofHours(1), registry, walker, () -> counted)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (usage.bytes() == 0 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }

      assertThat(usage.bytes()).isEqualTo(1000 + 234 + counted);
      assertThat(registry.get("reprox.store.disk.bytes").gauge().value()).isEqualTo(1000 + 234 + counted);
    }
  }
}
