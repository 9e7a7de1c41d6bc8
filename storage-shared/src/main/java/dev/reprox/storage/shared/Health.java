package dev.reprox.storage.shared;

import dev.reprox.storage.StorageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What {@code /readyz} reports for the shared store: PostgreSQL and the bucket are checked on a
 * thread of their own (a {@code SELECT 1}, a {@code HEAD} of the bucket) every {@code every}, so
 * the event loop only reads a field. A failed check names its component; the next passing one
 * clears it. With PostgreSQL down a check waits for the pool's connection timeout (5 s), so a
 * replica reports not ready within about {@code every} + 5 s and ready again within {@code every}.
 */
final class Health implements AutoCloseable {
  /** One component's check: returns when it answers, throws naming it when it does not. */
  @FunctionalInterface
  interface Check {
    void run() throws StorageException;
  }

  private final List<Check> checks;
  private final ScheduledExecutorService timer;
  private volatile Optional<String> problem = Optional.empty();

  Health(Duration every, List<Check> checks) {
    this.checks = List.copyOf(checks);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "reprox-shared-health");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::checkNow, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The components that failed the last check, or empty. Never blocks. */
  Optional<String> problem() {
    return problem;
  }

  /** Runs every check now (blocks); the timer calls it, and the store once at start. */
  void checkNow() {
    List<String> failed = new ArrayList<>();
    for (Check c : checks) {
      try {
        c.run();
      } catch (StorageException | RuntimeException e) {
        failed.add(e.getMessage());
      }
    }
    problem = failed.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", failed));
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
