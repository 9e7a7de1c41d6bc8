package dev.reprox.server.fetch;

import java.util.concurrent.CompletableFuture;

/**
 * Stops a request before it reaches an upstream when the server or its repository is offline
 * (DESIGN.md §6: never contact an upstream; answer 503 with the reason).
 */
final class OfflineFetcher implements Fetcher {
  private final boolean globallyOffline;
  private final Fetcher next;

  OfflineFetcher(boolean globallyOffline, Fetcher next) {
    this.globallyOffline = globallyOffline;
    this.next = next;
  }

  @Override
  public CompletableFuture<Fetched> fetch(FetchRequest request) {
    if (globallyOffline || request.repository().offline()) {
      return CompletableFuture.failedFuture(FetchException.offline(request, "not stored, and "
          + FetchException.offlineSwitch(globallyOffline, request.repository().name())));
    }
    return next.fetch(request);
  }
}
