package dev.reprox.server.fetch;

import dev.reprox.storage.Digest;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A {@link Fetched} that is another one with something added: everything not overridden is the inner one's. */
interface WrappedFetched extends Fetched {
  Fetched inner();

  @Override
  default Outcome outcome() {
    return inner().outcome();
  }

  @Override
  default long length() {
    return inner().length();
  }

  @Override
  default Optional<Digest> digest() {
    return inner().digest();
  }

  @Override
  default Content open() throws IOException {
    return inner().open();
  }

  @Override
  default CompletableFuture<Void> settled() {
    return inner().settled();
  }

  @Override
  default Optional<java.io.IOException> refused() {
    return inner().refused();
  }

  @Override
  default Provenance provenance() {
    return inner().provenance();
  }

  @Override
  default void noReader() {
    inner().noReader();
  }

  @Override
  default void release() {
    inner().release();
  }
}
