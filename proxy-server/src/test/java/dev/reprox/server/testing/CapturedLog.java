package dev.reprox.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The lines one logger writes while open, at INFO and above (the storage test-jar's
 * logback-test.xml sets WARN, which would hide INFO lines from a test that asks for them).
 */
public final class CapturedLog implements AutoCloseable {
  private final Logger logger;
  private final Level level;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  public CapturedLog(Class<?> owner) {
    this(owner.getName());
  }

  /** A logger by name ({@code reprox.access}). */
  public CapturedLog(String name) {
    this.logger = (Logger) LoggerFactory.getLogger(name);
    this.level = logger.getLevel();
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.INFO);
  }

  /** The formatted WARN lines so far. */
  public List<String> warnings() {
    return lines(Level.WARN);
  }

  public List<String> lines(Level at) {
    synchronized (appender.list) {
      return appender.list.stream().filter(e -> e.getLevel() == at).map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  /** The events so far at {@code at}, for what a line carries besides its text (key-values). */
  public List<ILoggingEvent> events(Level at) {
    synchronized (appender.list) {
      return appender.list.stream().filter(e -> e.getLevel() == at).toList();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(level);
  }
}
