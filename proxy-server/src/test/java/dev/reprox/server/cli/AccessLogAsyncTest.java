package dev.reprox.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * logback.xml writes access lines from a worker thread, never from the event loop that logs them:
 * a stalled stderr must cost the server access lines (bounded queue), never a blocked thread.
 * Each test reads the shipped logback.xml into a private logger context.
 */
class AccessLogAsyncTest {
  private final LoggerContext context = new LoggerContext();

  @AfterEach
  void stop() {
    context.stop();
  }

  @Test
  void shippedConfig_accessLogger_onlyAnAsyncNeverBlockingAppender() throws Exception {
    configure();
    Logger access = context.getLogger("reprox.access");

    assertThat(access.isAdditive()).isFalse(); // not also written synchronously by the root's appender
    assertThat(access.getAppender("ACCESS")).isInstanceOfSatisfying(AccessAppender.class, a -> {
      assertThat(a.getQueueSize()).isEqualTo(8192);
      assertThat(a.getAppender("STDERR")).isNotNull();
    });
  }

  @Test
  void stalledOutput_loggingThreadNeverBlocks_linesBeyondTheQueueDropped() throws Exception {
    configure();
    AccessAppender async = (AccessAppender) context.getLogger("reprox.access").getAppender("ACCESS");
    CountDownLatch release = new CountDownLatch(1);
    Counting out = new Counting(release);
    stderr().setEncoder(out);
    Logger access = context.getLogger("reprox.access");

    // Twice the queue: with a blocking queue the second half would wait for the stalled writer forever.
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      for (int i = 0; i < 2 * async.getQueueSize(); i++) {
        access.info("method=GET n={}", i);
      }
    });
    release.countDown();
    async.stop(); // flushes what was queued

    assertThat(out.lines()).isPositive().isLessThan(2 * async.getQueueSize());
  }

  @Test
  void stop_writesQueuedLinesFirst_asFlushAccessAtShutdownNeeds() throws Exception {
    configure();
    AccessAppender async = (AccessAppender) context.getLogger("reprox.access").getAppender("ACCESS");
    CountDownLatch open = new CountDownLatch(0);
    Counting out = new Counting(open);
    stderr().setEncoder(out);

    for (int i = 0; i < 100; i++) {
      context.getLogger("reprox.access").info("method=GET n={}", i);
    }
    async.stop();

    assertThat(out.lines()).isEqualTo(100);
  }

  @Test
  void linesComingFasterThanWrites_reachStderrInFewWrites_wholeAndInOrder() throws Exception {
    java.io.PrintStream original = System.err;
    CountingStream out = new CountingStream();
    System.setErr(new java.io.PrintStream(out, true));
    try {
      configure();
      AccessAppender async = (AccessAppender) context.getLogger("reprox.access").getAppender("ACCESS");
      CountDownLatch queued = new CountDownLatch(1);
      // The worker's first line waits until all are queued: lines arriving faster than it writes.
      stderr().setEncoder(new Gate(stderr().getEncoder(), queued));
      Logger access = context.getLogger("reprox.access");

      for (int i = 0; i < 1000; i++) {
        access.info("method=GET n={}", i);
      }
      queued.countDown();
      async.stop();
    } finally {
      System.setErr(original);
    }

    List<String> lines = out.text().lines().toList();
    assertThat(lines).hasSize(1000);
    for (int i = 0; i < lines.size(); i++) {
      assertThat(lines.get(i)).endsWith(" - method=GET n=" + i);
    }
    // One write a line before; now the first line, then the rest in writes of up to 64 KB.
    assertThat(out.writes()).isLessThanOrEqualTo(4);
  }

  /** logback.xml's console appender, given an encoder of the test's (as {@link LogFormat} swaps in JSON). */
  @SuppressWarnings("unchecked")
  private ch.qos.logback.core.OutputStreamAppender<ILoggingEvent> stderr() {
    return (ch.qos.logback.core.OutputStreamAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME)
        .getAppender("STDERR");
  }

  private void configure() throws Exception {
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter()); // a private context has none
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(AccessLogAsyncTest.class.getResource("/logback.xml"));
    context.start();
  }

  /** Bytes written to a replaced System.err, and how many write calls brought them. */
  private static final class CountingStream extends java.io.OutputStream {
    private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    private int writes;

    @Override
    public synchronized void write(int b) {
      writes++;
      bytes.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      writes++;
      bytes.write(b, off, len);
    }

    synchronized int writes() {
      return writes;
    }

    synchronized String text() {
      return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** The shipped encoder, whose first line waits for {@code open}. */
  private static final class Gate extends ch.qos.logback.core.encoder.EncoderBase<ILoggingEvent> {
    private final ch.qos.logback.core.encoder.Encoder<ILoggingEvent> encoder;
    private final CountDownLatch open;

    Gate(ch.qos.logback.core.encoder.Encoder<ILoggingEvent> encoder, CountDownLatch open) {
      this.encoder = encoder;
      this.open = open;
    }

    @Override
    public byte[] headerBytes() {
      return encoder.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
      try {
        open.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return encoder.encode(event);
    }

    @Override
    public byte[] footerBytes() {
      return encoder.footerBytes();
    }
  }

  /**
   * Counts the lines encoded, writes nothing; each waits until released (stderr piped into a
   * reader that stopped).
   */
  private static final class Counting extends ch.qos.logback.core.encoder.EncoderBase<ILoggingEvent> {
    private final CountDownLatch release;
    private final java.util.concurrent.atomic.AtomicInteger lines = new java.util.concurrent.atomic.AtomicInteger();

    Counting(CountDownLatch release) {
      this.release = release;
    }

    @Override
    public byte[] headerBytes() {
      return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      lines.incrementAndGet();
      return new byte[0];
    }

    @Override
    public byte[] footerBytes() {
      return null;
    }

    int lines() {
      return lines.get();
    }
  }
}
