package dev.reprox.server.upstream;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * An asynchronous semaphore: {@link #acquire()} returns a future that completes when a permit is
 * free, in arrival order, so no thread ever waits for an upstream slot. Futures are completed
 * outside the lock, because their continuations may start a request.
 */
final class Permits {
  private final int limit;
  private final ArrayDeque<CompletableFuture<Void>> waiters = new ArrayDeque<>();
  private int held;

  Permits(int limit) {
    this.limit = limit;
  }

  CompletableFuture<Void> acquire() {
    CompletableFuture<Void> permit = new CompletableFuture<>();
    synchronized (this) {
      if (held >= limit) {
        waiters.add(permit);
        return permit;
      }
      held++;
    }
    permit.complete(null);
    return permit;
  }

  /** Hands the permit to the oldest waiter that still wants it, or frees it. */
  void release() {
    while (true) {
      CompletableFuture<Void> next;
      synchronized (this) {
        next = waiters.poll();
        if (next == null) {
          held--;
          return;
        }
      }
      // A waiter that was cancelled meanwhile does not get the permit; try the next one.
      if (next.complete(null)) {
        return;
      }
    }
  }

  synchronized int held() {
    return held;
  }

  synchronized int waiting() {
    return waiters.size();
  }
}
