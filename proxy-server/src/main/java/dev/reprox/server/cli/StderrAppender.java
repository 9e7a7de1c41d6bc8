package dev.reprox.server.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * logback.xml's console appender (stderr). Lines that {@link AccessAppender}'s worker appends are
 * kept and written together when it ends a batch ({@link #writeKept()}), one system call for many
 * lines instead of one each; any other line (another thread's) writes what was kept first, so
 * lines keep their order, and a line is never split across writes.
 */
public class StderrAppender extends ConsoleAppender<ILoggingEvent> {
  /** The most bytes kept before they are written anyway. */
  static final int MAX_KEPT = 64 * 1024;

  private final ByteArrayOutputStream kept = new ByteArrayOutputStream(MAX_KEPT);

  @Override
  protected void writeOut(ILoggingEvent event) throws IOException {
    byte[] bytes = encoder.encode(event);
    if (bytes == null || bytes.length == 0) {
      return;
    }
    streamWriteLock.lock();
    try {
      kept.write(bytes);
      if (!(Thread.currentThread() instanceof AccessAppender.Worker) || kept.size() >= MAX_KEPT) {
        writeKeptLocked();
      }
    } finally {
      streamWriteLock.unlock();
    }
  }

  /** Writes the lines kept so far (the access worker's batch has ended). */
  void writeKept() {
    streamWriteLock.lock();
    try {
      writeKeptLocked();
    } catch (IOException e) {
      addError("writing log lines failed", e);
    } finally {
      streamWriteLock.unlock();
    }
  }

  private void writeKeptLocked() throws IOException {
    if (kept.size() > 0 && getOutputStream() != null) {
      kept.writeTo(getOutputStream());
      getOutputStream().flush();
    }
    kept.reset();
  }

  @Override
  public void stop() {
    writeKept();
    super.stop();
  }
}
