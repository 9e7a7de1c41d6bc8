package dev.reprox.storage.shared;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.StorageUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthTest {
  private final AtomicBoolean databaseDown = new AtomicBoolean();
  private final AtomicBoolean bucketDown = new AtomicBoolean();

  private Health health() {
    // An hour between timed checks: the test runs them itself.
    return new Health(Duration.ofHours(1), List.of(
        () -> fail(databaseDown, "readiness: database (PostgreSQL) unavailable: Connection refused"),
        () -> fail(bucketDown, "s3 bucket b: object store (S3) unavailable: Connection refused")));
  }

  private static void fail(AtomicBoolean down, String message) throws StorageUnavailableException {
    if (down.get()) {
      throw new StorageUnavailableException(message, null);
    }
  }

  @Test
  void checkNow_namesWhatIsDown_clearsWhenItIsBack() {
    try (Health health = health()) {
      health.checkNow();
      assertThat(health.problem()).isEmpty();

      databaseDown.set(true);
      assertThat(health.problem()).as("unchanged until the next check").isEmpty();
      health.checkNow();
      assertThat(health.problem()).hasValue("readiness: database (PostgreSQL) unavailable: Connection refused");

      bucketDown.set(true);
      health.checkNow();
      assertThat(health.problem()).hasValue("readiness: database (PostgreSQL) unavailable: Connection refused;"
          + " s3 bucket b: object store (S3) unavailable: Connection refused");

      databaseDown.set(false);
      health.checkNow();
      assertThat(health.problem()).hasValue("s3 bucket b: object store (S3) unavailable: Connection refused");
      bucketDown.set(false);
      health.checkNow();
      assertThat(health.problem()).isEmpty();
    }
  }
}
