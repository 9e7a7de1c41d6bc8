package dev.reprox.server.fetch;

import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Ref;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Serves a path from the store when its ref names a blob the store still has; otherwise asks
 * the next fetcher. The lookups touch storage, so they run on the storage executor.
 */
final class StoredFetcher implements Fetcher {
  private final Storage storage;
  private final Executor storageExecutor;
  private final Fetcher next;

  StoredFetcher(Storage storage, Executor storageExecutor, Fetcher next) {
    this.storage = storage;
    this.storageExecutor = storageExecutor;
    this.next = next;
  }

  @Override
  public CompletableFuture<Fetched> fetch(FetchRequest request) {
    return CompletableFuture.supplyAsync(() -> lookup(request), storageExecutor)
        .thenCompose(found -> found.isPresent()
            ? CompletableFuture.completedFuture(found.get())
            : next.fetch(request));
  }

  private Optional<Fetched> lookup(FetchRequest request) {
    try {
      Optional<Ref> ref = storage.refs().get(request.repository().name(), request.path());
      if (ref.isEmpty()) {
        return Optional.empty();
      }
      return storage.blobs().stat(ref.get().digest()).map(info -> new Stored(storage, info));
    } catch (IOException e) {
      throw new FetchException(FetchException.Kind.STORAGE, "lookup " + request + ": " + e.getMessage(), e);
    }
  }

  /** A committed blob: every reader is a positional {@link BlobReader}. */
  private record Stored(Storage storage, BlobInfo info) implements Fetched {
    @Override
    public Outcome outcome() {
      return Outcome.HIT;
    }

    @Override
    public long length() {
      return info.size();
    }

    @Override
    public Optional<Digest> digest() {
      return Optional.of(info.digest());
    }

    @Override
    public Content open() throws IOException {
      return new BlobContent(storage.blobs().open(info.digest()));
    }

    @Override
    public CompletableFuture<Void> settled() {
      return CompletableFuture.completedFuture(null);
    }
  }
}
