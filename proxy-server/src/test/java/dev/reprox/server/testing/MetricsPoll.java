package dev.reprox.server.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Reading {@code /metrics} after requests: a request is counted when its response has ended on the
 * server's side, which can be just after the client read the last byte (over a keep-alive
 * connection the next request does not wait for it either). A test reads until what it asserts
 * shows, 10 s at most, then asserts on the last reading (which says what it shows).
 */
public final class MetricsPoll {
  /** A reading of the metrics text, e.g. a GET of {@code /metrics}. */
  @FunctionalInterface
  public interface Read {
    String text() throws IOException, InterruptedException;
  }

  private MetricsPoll() {}

  public static String until(Read read, Predicate<String> shows) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String text = read.text();
    while (!shows.test(text) && System.nanoTime() < deadline) {
      Thread.sleep(10); // a poll on the condition, bounded by the deadline
      text = read.text();
    }
    return text;
  }
}
