package dev.reprox.server.fetch;

import dev.reprox.storage.Digest;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link Fetched} body with its place in the trust chain attached, and its outcome when it is
 * not the inner body's (a stored body that an upstream round put there for this very request).
 */
record Annotated(Fetched inner, Provenance provenance, Outcome outcome) implements Fetched {
  Annotated(Fetched inner, Provenance provenance) {
    this(inner, provenance, inner.outcome());
  }

  /** {@code f} reported as a miss. */
  static Annotated missed(Fetched f) {
    return new Annotated(f instanceof Annotated a ? a.inner : f, f.provenance(), Outcome.MISS);
  }

  @Override
  public long length() {
    return inner.length();
  }

  @Override
  public Optional<Digest> digest() {
    return inner.digest();
  }

  @Override
  public Content open() throws IOException {
    return inner.open();
  }

  @Override
  public Optional<Fetched> withReaderKept() throws IOException {
    return inner.withReaderKept().map(kept -> new Annotated(kept, provenance));
  }

  @Override
  public CompletableFuture<Void> settled() {
    return inner.settled();
  }

  @Override
  public void noReader() {
    inner.noReader();
  }
}
