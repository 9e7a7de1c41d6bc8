package dev.reprox.server.fetch;

import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobReader;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Ref;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Serves a path from the store when its ref names a blob the store still has and the copy is
 * fresh ({@link Freshness}); otherwise asks the next fetcher. A stale copy is still served when
 * offline or when the upstream cannot answer (stale-if-error). The lookups touch storage, so they
 * run on the storage executor.
 */
final class StoredFetcher implements Fetcher {
  private final Storage storage;
  private final Executor storageExecutor;
  private final Clock clock;
  private final boolean globallyOffline;
  private final Fetcher next;

  StoredFetcher(Storage storage, Executor storageExecutor, Clock clock, boolean globallyOffline, Fetcher next) {
    this.storage = storage;
    this.storageExecutor = storageExecutor;
    this.clock = clock;
    this.globallyOffline = globallyOffline;
    this.next = next;
  }

  @Override
  public CompletableFuture<Fetched> fetch(FetchRequest request) {
    return CompletableFuture.supplyAsync(() -> lookup(request), storageExecutor)
        .thenCompose(found -> {
          if (found.isEmpty()) {
            return next.fetch(request);
          }
          Stored stored = found.get();
          if (stored.fresh || offline(request)) {
            return CompletableFuture.completedFuture(stored);
          }
          // Stale live index: ask the upstream again, but serve the stored copy if it cannot answer.
          return next.fetch(request).exceptionallyCompose(error -> {
            FetchException f = FetchException.of(error, request);
            return f.kind() == FetchException.Kind.NOT_FOUND || f.kind() == FetchException.Kind.STORAGE
                || f.kind() == FetchException.Kind.STORAGE_UNAVAILABLE
                ? CompletableFuture.failedFuture(f)
                : CompletableFuture.completedFuture(stored);
          });
        });
  }

  private boolean offline(FetchRequest request) {
    return globallyOffline || request.repository().offline();
  }

  private Optional<Stored> lookup(FetchRequest request) {
    try {
      Optional<Ref> ref = storage.refs().get(request.repository().name(), request.path());
      if (ref.isEmpty()) {
        return Optional.empty();
      }
      boolean fresh = Freshness.fresh(request, ref.get().seenAt(), clock.instant());
      return storage.blobs().stat(ref.get().digest()).map(info -> new Stored(storage, info, fresh));
    } catch (IOException e) {
      throw new FetchException(FetchException.Kind.STORAGE, "lookup " + request + ": " + e.getMessage(), e);
    }
  }

  /** A committed blob: every reader is a positional {@link BlobReader}. */
  record Stored(Storage storage, BlobInfo info, boolean fresh) implements Fetched {
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
    public Optional<Fetched> withReaderKept() throws IOException {
      return Optional.of(new Kept(this, storage.blobs().open(info.digest())));
    }

    @Override
    public CompletableFuture<Void> settled() {
      return CompletableFuture.completedFuture(null);
    }
  }

  /**
   * A stored blob with one reader shared by every client (readers are stateless and thread-safe):
   * opening costs nothing, so the event loop may do it. The reader is counted: one hold for the
   * cache that keeps this answer ({@link #release} when it lets go) and one per open content; it
   * closes when the last goes, so a blob deleted while it was hot gives its chunks back.
   */
  static final class Kept implements Fetched {
    private final Stored stored;
    private final BlobReader reader;
    private final java.util.concurrent.atomic.AtomicInteger holds = new java.util.concurrent.atomic.AtomicInteger(1);

    Kept(Stored stored, BlobReader reader) {
      this.stored = stored;
      this.reader = reader;
    }

    @Override
    public Outcome outcome() {
      return Outcome.HIT;
    }

    @Override
    public long length() {
      return stored.length();
    }

    @Override
    public Optional<Digest> digest() {
      return stored.digest();
    }

    @Override
    public Content open() throws IOException {
      if (hold()) {
        return BlobContent.shared(reader, this::unhold);
      }
      // Let go of meanwhile (a request that found the answer just before it left the cache): a
      // reader of its own, one point lookup.
      return stored.open();
    }

    @Override
    public void release() {
      unhold();
    }

    /** Open holds: the cache's and the clients'; 0 once the reader is closed. */
    int holds() {
      return holds.get();
    }

    /** One more hold, unless the reader is already closed (the count reached 0 and stays there). */
    private boolean hold() {
      for (int n = holds.get(); n > 0; n = holds.get()) {
        if (holds.compareAndSet(n, n + 1)) {
          return true;
        }
      }
      return false;
    }

    private void unhold() {
      if (holds.decrementAndGet() == 0) {
        reader.close();
      }
    }

    /** One more hold for one more keeper; a reader of its own once this one closed. */
    @Override
    public Optional<Fetched> withReaderKept() throws IOException {
      return hold() ? Optional.of(this) : stored.withReaderKept();
    }

    @Override
    public CompletableFuture<Void> settled() {
      return CompletableFuture.completedFuture(null);
    }
  }
}
