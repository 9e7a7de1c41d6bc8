package dev.reprox.server.fetch;

import java.util.concurrent.CompletableFuture;

/**
 * Finds the bytes of one repository path. Never blocks the caller: the answer arrives as a
 * future that fails with {@link FetchException} (its kind is the HTTP status).
 */
public interface Fetcher {
  CompletableFuture<Fetched> fetch(FetchRequest request);
}
