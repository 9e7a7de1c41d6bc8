package dev.reprox.storage;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the contract suites: each implementation's test supplies {@link #newStorage} once, and
 * runs every suite through {@code @Nested} subclasses. Blobs use tiny chunks so reads cross chunk
 * edges without megabytes of data.
 */
public abstract class StorageContract {
  protected static final int CHUNK = 64;
  protected static final Instant START = Instant.parse("2024-03-01T00:00:00Z");

  @TempDir
  protected Path dir;

  protected final MutableClock clock = new MutableClock(START);
  protected Storage storage;

  /** A store in {@code dir} (which persistent implementations reuse on reopen). */
  protected abstract Storage newStorage(Path dir, Clock clock, int chunkSize) throws Exception;

  @BeforeEach
  void openStorage() throws Exception {
    storage = newStorage(dir, clock, CHUNK);
  }

  @AfterEach
  void closeStorage() {
    storage.close();
  }

  protected static Digest digestOf(int seed) {
    return Digest.compute(("content " + seed).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
