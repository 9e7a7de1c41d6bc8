package dev.reprox.server.fetch;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Coalesces concurrent fetches of one (repository, path): the first starts the upstream fill,
 * the rest share it and each read its own tail of the blob being written, so nobody waits for
 * the whole file. The entry stays until the fill settles; by then the stored ref is written, so a
 * later request finds the blob in the store.
 */
final class SingleFlightFetcher implements Fetcher {
  private final ConcurrentMap<String, CompletableFuture<Fetched>> inFlight = new ConcurrentHashMap<>();
  private final Fetcher next;

  SingleFlightFetcher(Fetcher next) {
    this.next = next;
  }

  @Override
  public CompletableFuture<Fetched> fetch(FetchRequest request) {
    String key = request.key();
    CompletableFuture<Fetched> mine = new CompletableFuture<>();
    CompletableFuture<Fetched> shared = inFlight.putIfAbsent(key, mine);
    if (shared != null) {
      return shared;
    }
    next.fetch(request).whenComplete((fetched, error) -> {
      if (error != null) {
        inFlight.remove(key, mine);
        mine.completeExceptionally(error);
        return;
      }
      fetched.settled().whenComplete((v, e) -> inFlight.remove(key, mine));
      mine.complete(fetched);
    });
    return mine;
  }

  /** Fills in progress; for tests and the status page. */
  int inFlight() {
    return inFlight.size();
  }
}
