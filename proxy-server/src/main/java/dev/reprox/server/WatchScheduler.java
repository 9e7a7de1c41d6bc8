package dev.reprox.server;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Calls the watch's tick (which runs the rounds that are due by the server's clock) on a thread
 * of its own, never the event loop. The server's default ticks every second; a test passes one
 * that keeps the tick and calls it after moving its clock, so no test waits for real time.
 */
@FunctionalInterface
public interface WatchScheduler {
  /** Starts calling {@code tick}; closing the result stops it (a running tick is interrupted). */
  AutoCloseable start(Runnable tick);

  /** Ticks every {@code period} on one daemon thread, {@code reprox-watch}. */
  static WatchScheduler every(Duration period) {
    return tick -> {
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "reprox-watch");
        t.setDaemon(true);
        return t;
      });
      timer.scheduleWithFixedDelay(tick, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
      return timer::shutdownNow;
    };
  }
}
