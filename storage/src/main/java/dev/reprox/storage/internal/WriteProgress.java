package dev.reprox.storage.internal;

import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.WriteCancelledException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How far one write has got, and who is waiting for more. The writer calls {@link #advance},
 * {@link #commit} or {@link #cancel}; tails call {@link #whenReadable}. Waiters are completed
 * after the lock is released, so a tail's callback can never deadlock against the writer.
 */
public final class WriteProgress {
  /** A tail waiting for bytes beyond {@code position}. */
  private record Waiter(long position, CompletableFuture<Long> future) {}

  private final Object lock = new Object();
  private final List<Waiter> waiters = new ArrayList<>();
  private volatile long written;
  private volatile BlobInfo committed;
  private volatile String cancelReason;

  public long written() {
    return written;
  }

  /** The committed blob, or null while the write is open or after it was cancelled. */
  public BlobInfo committed() {
    return committed;
  }

  public boolean cancelled() {
    return cancelReason != null;
  }

  public boolean open() {
    return committed == null && cancelReason == null;
  }

  /** Throws {@link WriteCancelledException} when the write was cancelled. */
  public void checkNotCancelled() throws WriteCancelledException {
    String reason = cancelReason;
    if (reason != null) {
      throw new WriteCancelledException(reason);
    }
  }

  /** Publishes that {@code newWritten} bytes are readable and wakes the tails waiting for them. */
  public void advance(long newWritten) {
    List<Waiter> ready = new ArrayList<>();
    synchronized (lock) {
      written = newWritten;
      waiters.removeIf(w -> {
        if (w.future.isDone()) {
          return true;
        }
        if (w.position < newWritten) {
          ready.add(w);
          return true;
        }
        return false;
      });
    }
    for (Waiter w : ready) {
      w.future.complete(newWritten);
    }
  }

  /** Marks the write committed and wakes every tail. */
  public void commit(BlobInfo info) {
    List<Waiter> all;
    synchronized (lock) {
      if (!open()) {
        return;
      }
      committed = info;
      all = drain();
    }
    for (Waiter w : all) {
      w.future.complete(info.size());
    }
  }

  /** Marks the write cancelled and fails every tail; a no-op once the write has ended. */
  public void cancel(String reason) {
    List<Waiter> all;
    synchronized (lock) {
      if (!open()) {
        return;
      }
      cancelReason = reason;
      all = drain();
    }
    for (Waiter w : all) {
      w.future.completeExceptionally(new WriteCancelledException(reason));
    }
  }

  /** See {@link dev.reprox.storage.TailReader#whenReadable(long)}. */
  public CompletableFuture<Long> whenReadable(long position) {
    CompletableFuture<Long> future = new CompletableFuture<>();
    synchronized (lock) {
      if (open() && written <= position) {
        waiters.add(new Waiter(position, future));
        return future;
      }
    }
    // Already readable or already ended: complete outside the lock.
    if (cancelReason != null) {
      future.completeExceptionally(new WriteCancelledException(cancelReason));
    } else {
      BlobInfo info = committed;
      future.complete(info != null ? info.size() : written);
    }
    return future;
  }

  private List<Waiter> drain() {
    List<Waiter> all = new ArrayList<>(waiters);
    waiters.clear();
    return all;
  }
}
