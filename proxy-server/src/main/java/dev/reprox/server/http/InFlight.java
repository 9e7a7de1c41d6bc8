package dev.reprox.server.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Counts responses in progress so shutdown can wait for them to finish. */
public final class InFlight {
  private final Object lock = new Object();
  private int count;

  void begin() {
    synchronized (lock) {
      count++;
    }
  }

  void end() {
    synchronized (lock) {
      if (--count == 0) {
        lock.notifyAll();
      }
    }
  }

  public int count() {
    synchronized (lock) {
      return count;
    }
  }

  /**
   * Blocks (the shutdown thread, never an event loop) until no response is in progress or the
   * timeout passes; returns whether everything finished. Wall time is what a drain timeout means,
   * so this uses the monotonic clock rather than the injected domain clock.
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (count > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }
}
