package dev.reprox.server.fetch;

import java.io.IOException;
import java.util.Optional;

/**
 * A {@link Fetched} body with its place in the trust chain attached, and its outcome when it is
 * not the inner body's (a stored body that an upstream round put there for this very request).
 */
record Annotated(Fetched inner, Provenance provenance, Outcome outcome) implements WrappedFetched {
  Annotated(Fetched inner, Provenance provenance) {
    this(inner, provenance, inner.outcome());
  }

  /** {@code f} reported as a miss. */
  static Annotated missed(Fetched f) {
    return new Annotated(f instanceof Annotated a ? a.inner : f, f.provenance(), Outcome.MISS);
  }

  @Override
  public Optional<Fetched> withReaderKept() throws IOException {
    return inner.withReaderKept().map(kept -> new Annotated(kept, provenance));
  }
}
