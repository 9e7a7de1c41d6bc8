package dev.reprox.server.fetch;

import java.util.concurrent.CompletableFuture;

/**
 * Coalesces concurrent fetches of one (repository, path): the first starts the upstream fill,
 * the rest share it and each read its own tail of the blob being written, so nobody waits for
 * the whole file. The entry stays until the fill settles; by then the stored ref is written, so a
 * later request finds the blob in the store.
 */
final class SingleFlightFetcher implements Fetcher {
  private final SingleFlight<String, Fetched> inFlight = new SingleFlight<>();
  private final Fetcher next;

  SingleFlightFetcher(Fetcher next) {
    this.next = next;
  }

  @Override
  public CompletableFuture<Fetched> fetch(FetchRequest request) {
    return inFlight.run(request.key(), () -> next.fetch(request), Fetched::settled);
  }

  /** Fills in progress; for tests and the status page. */
  int inFlight() {
    return inFlight.size();
  }
}
