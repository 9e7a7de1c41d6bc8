package dev.reprox.bench;

import java.util.Arrays;

/** Percentiles of a set of durations in nanoseconds (nearest rank), and timing helpers. */
final class Timings {
  private final long[] sorted;

  Timings(long[] nanos) {
    this.sorted = nanos.clone();
    Arrays.sort(sorted);
  }

  /** The p-th percentile (0 < p ≤ 100), nearest rank. */
  long percentile(double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  long median() {
    return percentile(50);
  }

  long min() {
    return sorted[0];
  }

  long max() {
    return sorted[sorted.length - 1];
  }

  static double millis(long nanos) {
    return nanos / 1e6;
  }

  static double micros(long nanos) {
    return nanos / 1e3;
  }

  interface Body {
    void run() throws Exception;
  }

  static long time(Body body) throws Exception {
    long start = System.nanoTime();
    body.run();
    return System.nanoTime() - start;
  }
}
