package dev.reprox.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Duration;
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
    assertThat(access.getAppender("ACCESS")).isInstanceOfSatisfying(AsyncAppender.class, a -> {
      assertThat(a.isNeverBlock()).isTrue();
      assertThat(a.getQueueSize()).isEqualTo(8192);
      assertThat(a.getAppender("STDERR")).isNotNull();
    });
  }

  @Test
  void stalledOutput_loggingThreadNeverBlocks_linesBeyondTheQueueDropped() throws Exception {
    configure();
    AsyncAppender async = (AsyncAppender) context.getLogger("reprox.access").getAppender("ACCESS");
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
    AsyncAppender async = (AsyncAppender) context.getLogger("reprox.access").getAppender("ACCESS");
    CountDownLatch open = new CountDownLatch(0);
    Counting out = new Counting(open);
    stderr().setEncoder(out);

    for (int i = 0; i < 100; i++) {
      context.getLogger("reprox.access").info("method=GET n={}", i);
    }
    async.stop();

    assertThat(out.lines()).isEqualTo(100);
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
