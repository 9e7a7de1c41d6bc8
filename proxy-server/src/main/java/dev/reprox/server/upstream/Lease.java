package dev.reprox.server.upstream;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One held permit. Released exactly once, whichever comes first: the body ends, fails or is
 * cancelled, the response is discarded, or the exchange fails.
 */
final class Lease {
  private final Permits permits;
  private final AtomicBoolean released = new AtomicBoolean();

  Lease(Permits permits) {
    this.permits = permits;
  }

  /** True for the call that really released it. */
  boolean release() {
    if (released.compareAndSet(false, true)) {
      permits.release();
      return true;
    }
    return false;
  }
}
