package dev.reprox.server.fetch;

import dev.reprox.storage.Digest;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A found body that any number of clients may read, each through its own {@link Content}: a
 * stored blob, or an upstream fill still in progress.
 */
public interface Fetched {
  /** Where the bytes came from, for metrics. */
  enum Outcome {
    HIT,
    MISS;

    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  Outcome outcome();

  /** Total length when known up front (stored size or upstream Content-Length), else -1. */
  long length();

  /** The content address when the blob is committed, else empty. */
  Optional<Digest> digest();

  /** A new reader for one client. May block (opens storage): call it off the event loop. */
  Content open() throws IOException;

  /**
   * This body with its storage reader opened once, for a cache of hot answers: the result's
   * {@link #open()} never blocks and shares that reader. Empty for bodies that cannot be kept
   * (fills, bodies held back). May block.
   */
  default Optional<Fetched> withReaderKept() throws IOException {
    return Optional.empty();
  }

  /**
   * The keeper of a {@link #withReaderKept} result lets go of it (a cache evicted it): its shared
   * reader closes once the last client's content has closed too. Each kept result is released
   * once. Never blocks for long.
   */
  default void release() {}

  /**
   * Tells the body that no reader will come (a HEAD answer). A relayed body ({@link Relayed})
   * cancels its upstream at once; stored bodies and fills need nothing. Never blocks.
   */
  default void noReader() {}

  /** Completes when this body no longer changes (committed or failed); single flight uses it. */
  CompletableFuture<Void> settled();

  /**
   * Why a fill that settled without a digest stored nothing, when its commit refused the body (a
   * digest, size or format check; a {@link dev.reprox.storage.DigestMismatchException} names both
   * digests). Empty while running, once stored, for stored bodies, and for other failures (cut,
   * timeout), whose reason is logged.
   */
  default Optional<java.io.IOException> refused() {
    return Optional.empty();
  }

  /** The response's place in the trust chain; {@link Provenance#NONE} for pass-through bodies. */
  default Provenance provenance() {
    return Provenance.NONE;
  }
}
