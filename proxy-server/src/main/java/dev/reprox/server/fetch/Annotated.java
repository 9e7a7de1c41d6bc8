package dev.reprox.server.fetch;

import dev.reprox.storage.Digest;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A {@link Fetched} body with its place in the trust chain attached. */
record Annotated(Fetched inner, Provenance provenance) implements Fetched {
  @Override
  public Outcome outcome() {
    return inner.outcome();
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
}
