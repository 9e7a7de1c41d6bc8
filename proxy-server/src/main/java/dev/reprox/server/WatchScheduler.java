package dev.reprox.server;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
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

  /**
   * Ticks every {@code period} on {@code thread} (the server's {@link ThreadPools#watch()}, which
   * the pools own and close); closing the result cancels the ticks.
   */
  static WatchScheduler every(Duration period, ScheduledExecutorService thread) {
    return tick -> {
      ScheduledFuture<?> ticks =
          thread.scheduleWithFixedDelay(tick, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
      return () -> ticks.cancel(true);
    };
  }
}
