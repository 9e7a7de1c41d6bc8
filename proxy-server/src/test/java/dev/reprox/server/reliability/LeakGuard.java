package dev.reprox.server.reliability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails every test class after which Netty's leak detector reports a leak in this JVM. Registered
 * for the whole proxy-server test run through {@code META-INF/services} with extension
 * autodetection on ({@code junit-platform.properties}); leak detection itself is paranoid from the
 * parent pom's argLine. Netty logs its reports ({@code LEAK: ... was not released}) on the
 * {@code io.netty.util.ResourceLeakDetector} logger, and only when a later allocation finds a
 * collected, unreleased buffer; so after each class this forces collections and allocations until
 * the detector has looked, then fails on anything it said. Child JVMs are checked separately by
 * scanning their stderr ({@link ReproxProcess#assertNoLeaks()}).
 */
public final class LeakGuard implements BeforeAllCallback, AfterAllCallback {
  static final String LOGGER = "io.netty.util.ResourceLeakDetector";
  private static final Recorder recorder = new Recorder();

  @Override
  public void beforeAll(ExtensionContext context) {
    install();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    List<String> leaks = collect();
    if (!leaks.isEmpty()) {
      throw new AssertionError("Netty reported " + leaks.size() + " leak(s) during " + context.getDisplayName()
          + ":\n" + String.join("\n\n", leaks));
    }
  }

  /** Attaches the recorder once; the logger stays at ERROR or finer so reports are not filtered out. */
  static synchronized void install() {
    Logger logger = (Logger) LoggerFactory.getLogger(LOGGER);
    if (logger.getAppender(Recorder.NAME) == null) {
      recorder.setContext(logger.getLoggerContext());
      recorder.setName(Recorder.NAME);
      recorder.start();
      logger.addAppender(recorder);
    }
    if (!Level.ERROR.isGreaterOrEqual(logger.getEffectiveLevel())) {
      logger.setLevel(Level.ERROR);
    }
  }

  /** Makes the detector look at everything collectable, then returns and forgets what it reported. */
  static List<String> collect() {
    for (int round = 0; round < 3; round++) {
      System.gc();
      System.runFinalization();
      // Reports are emitted from track(), i.e. on the next leak-aware allocation.
      for (ByteBufAllocator a : List.of(ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT,
          UnpooledByteBufAllocator.DEFAULT)) {
        for (int i = 0; i < 4; i++) {
          ByteBuf b = a.directBuffer(1);
          b.release();
          b = a.heapBuffer(1);
          b.release();
        }
      }
    }
    return recorder.drain();
  }

  static final class Recorder extends AppenderBase<ILoggingEvent> {
    static final String NAME = "reprox-leak-guard";
    private final List<String> reports = new ArrayList<>();

    @Override
    protected synchronized void append(ILoggingEvent event) {
      if (event.getFormattedMessage().contains("LEAK:")) {
        reports.add(event.getFormattedMessage());
      }
    }

    synchronized List<String> drain() {
      List<String> copy = List.copyOf(reports);
      reports.clear();
      return copy;
    }
  }
}
