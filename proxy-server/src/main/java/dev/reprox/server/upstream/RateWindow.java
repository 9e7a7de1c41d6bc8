package dev.reprox.server.upstream;

import java.time.Clock;
import java.util.ArrayDeque;

/**
 * The average byte rate of one body over the last {@code window}, sampled by whoever calls
 * {@link #sample}. It keeps (time, bytes so far) samples and drops those that are no longer needed
 * to span the window, so it holds about window / sampling period + 2 entries. A body is judged
 * only once it has lasted a whole window: its first bytes are not a rate.
 */
final class RateWindow {
  private record Sample(long millis, long bytes) {}

  private final Clock clock;
  private final long minBytesPerSecond;
  private final long windowMillis;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  private long bytes;

  RateWindow(Clock clock, long minBytesPerSecond, long windowMillis) {
    this.clock = clock;
    this.minBytesPerSecond = minBytesPerSecond;
    this.windowMillis = windowMillis;
    samples.add(new Sample(clock.millis(), 0));
  }

  synchronized void add(long n) {
    bytes += n;
  }

  /**
   * Records a sample now; returns the average rate in bytes per second over the last window when
   * it is below the minimum, or -1 (not too slow, or not a whole window yet).
   */
  synchronized long sample() {
    long now = clock.millis();
    samples.addLast(new Sample(now, bytes));
    while (samples.size() > 2 && now - secondOldest().millis() >= windowMillis) {
      samples.removeFirst();
    }
    Sample oldest = samples.peekFirst();
    long span = now - oldest.millis();
    if (span < windowMillis) {
      return -1;
    }
    long rate = (bytes - oldest.bytes()) * 1000 / span;
    return rate < minBytesPerSecond ? rate : -1;
  }

  private Sample secondOldest() {
    var it = samples.iterator();
    it.next();
    return it.next();
  }
}
