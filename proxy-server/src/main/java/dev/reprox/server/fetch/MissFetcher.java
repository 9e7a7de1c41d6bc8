package dev.reprox.server.fetch;

import java.net.URI;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * In front of the upstream: a path the upstream answered 404/410 for within the repository's
 * {@code negative-ttl} is answered 404 again without a request ({@link Misses}).
 */
final class MissFetcher implements Fetcher {
  private final Misses misses;
  private final Fetcher next;

  MissFetcher(Misses misses, Fetcher next) {
    this.misses = misses;
    this.next = next;
  }

  @Override
  public CompletableFuture<Fetched> fetch(FetchRequest request) {
    URI uri = UpstreamFetcher.upstreamUri(request);
    Optional<FetchException> remembered = misses.remembered(request.repository(), uri);
    if (remembered.isPresent()) {
      return CompletableFuture.failedFuture(remembered.get());
    }
    return next.fetch(request).whenComplete((fetched, error) -> {
      if (error != null) {
        FetchException e = FetchException.of(error, request);
        if (e.kind() == FetchException.Kind.NOT_FOUND) {
          misses.remember(request.repository(), uri, e.getMessage());
        }
      }
    });
  }
}
