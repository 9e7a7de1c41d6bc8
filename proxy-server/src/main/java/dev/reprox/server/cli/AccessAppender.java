package dev.reprox.server.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.spi.AppenderAttachableImpl;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * logback.xml's appender for the access lines ({@code reprox.access}): the event loop that logs a
 * line only queues it; a worker thread writes it. Like logback's AsyncAppender with
 * {@code neverBlock}, the queue is bounded and a line that finds it full is dropped, never the
 * request held. Unlike it, the worker does not wake for every line: while lines keep coming it
 * writes what gathered, then waits {@link #LINGER_MILLIS} for more instead of blocking on the
 * queue, so the event loops queue without waking it and a batch goes to stderr in one write
 * ({@link StderrAppender}). A wake and a write per request cost a warm 53 KB hit about a quarter
 * of its CPU (issue 14). When the lines stop, the worker blocks again: the first line after a
 * quiet spell is written at once, later ones at most {@link #LINGER_MILLIS} after they were logged.
 */
public final class AccessAppender extends UnsynchronizedAppenderBase<ILoggingEvent>
    implements AppenderAttachable<ILoggingEvent> {
  /** How long the worker lets lines gather between batches while they keep coming. */
  static final long LINGER_MILLIS = 10;

  private final AppenderAttachableImpl<ILoggingEvent> appenders = new AppenderAttachableImpl<>();
  private int queueSize = 8192;
  private ArrayBlockingQueue<ILoggingEvent> queue;
  private Worker worker;

  /** The worker's thread class: {@link StderrAppender} keeps its lines until the batch ends. */
  static final class Worker extends Thread {
    private final AccessAppender owner;

    Worker(AccessAppender owner) {
      super("reprox-access-log");
      this.owner = owner;
      setDaemon(true);
    }

    @Override
    public void run() {
      owner.work();
    }
  }

  public void setQueueSize(int queueSize) {
    this.queueSize = queueSize;
  }

  public int getQueueSize() {
    return queueSize;
  }

  @Override
  public void start() {
    if (isStarted()) {
      return;
    }
    if (queueSize < 1) {
      addError("queueSize must be positive, not " + queueSize);
      return;
    }
    queue = new ArrayBlockingQueue<>(queueSize);
    worker = new Worker(this);
    super.start();
    worker.start();
  }

  /** Writes out the lines still queued, then stops (at shutdown: the last requests are logged). */
  @Override
  public void stop() {
    if (!isStarted()) {
      return;
    }
    super.stop();
    worker.interrupt();
    try {
      worker.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    appenders.detachAndStopAllAppenders();
  }

  @Override
  protected void append(ILoggingEvent event) {
    event.prepareForDeferredProcessing(); // the message and MDC, as the logging thread saw them
    queue.offer(event); // full (stderr stalled): the line is dropped, the request goes on
  }

  private void work() {
    List<ILoggingEvent> batch = new ArrayList<>();
    try {
      while (isStarted()) {
        batch.add(queue.take()); // nothing coming: block until a line is
        do {
          queue.drainTo(batch);
          write(batch);
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS));
        } while (!queue.isEmpty() && !Thread.currentThread().isInterrupted());
        if (Thread.currentThread().isInterrupted()) {
          break;
        }
      }
    } catch (InterruptedException e) {
      // stopping: what is still queued is written below
    }
    queue.drainTo(batch);
    write(batch);
  }

  private void write(List<ILoggingEvent> batch) {
    for (ILoggingEvent e : batch) {
      appenders.appendLoopOnAppenders(e);
    }
    batch.clear();
    for (Iterator<Appender<ILoggingEvent>> it = appenders.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof StderrAppender stderr) {
        stderr.writeKept();
      }
    }
  }

  @Override
  public void addAppender(Appender<ILoggingEvent> appender) {
    appenders.addAppender(appender);
  }

  @Override
  public Iterator<Appender<ILoggingEvent>> iteratorForAppenders() {
    return appenders.iteratorForAppenders();
  }

  @Override
  public Appender<ILoggingEvent> getAppender(String name) {
    return appenders.getAppender(name);
  }

  @Override
  public boolean isAttached(Appender<ILoggingEvent> appender) {
    return appenders.isAttached(appender);
  }

  @Override
  public void detachAndStopAllAppenders() {
    appenders.detachAndStopAllAppenders();
  }

  @Override
  public boolean detachAppender(Appender<ILoggingEvent> appender) {
    return appenders.detachAppender(appender);
  }

  @Override
  public boolean detachAppender(String name) {
    return appenders.detachAppender(name);
  }
}
