package dev.reprox.server.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import dev.reprox.config.ReproxConfig;
import java.util.Iterator;
import org.slf4j.LoggerFactory;

/**
 * Switches the console appenders of logback.xml to {@link JsonLinesEncoder} when the config says
 * {@code log.format: json}. Done at startup, once the config is loaded, before the first line of
 * the run is logged; with {@code text} (the default) logback.xml's pattern stays.
 */
final class LogFormat {
  private LogFormat() {}

  /**
   * Writes out the access lines still queued in logback.xml's asynchronous {@code ACCESS}
   * appender (up to its flush time) and stops it: the last requests before a shutdown are logged.
   */
  static void flushAccess() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      Appender<ILoggingEvent> access = context.getLogger("reprox.access").getAppender("ACCESS");
      if (access != null) {
        access.stop();
      }
    }
  }

  static void apply(ReproxConfig.Log.Format format) {
    if (format != ReproxConfig.Log.Format.JSON
        || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof OutputStreamAppender<ILoggingEvent> appender) {
        JsonLinesEncoder encoder = new JsonLinesEncoder();
        encoder.setContext(context);
        encoder.start();
        // Not stop()/start(): stopping closes the stream, which for a console appender is stderr.
        // Swapped before the server starts, so no other thread is logging yet.
        appender.setEncoder(encoder);
      }
    }
  }
}
