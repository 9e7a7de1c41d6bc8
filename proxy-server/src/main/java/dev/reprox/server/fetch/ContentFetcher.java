package dev.reprox.server.fetch;

import dev.reprox.storage.Alias;
import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Requests whose URL is itself a content address ({@code http://snapshot.debian.org/file/<sha1>}:
 * the route puts the SHA-1 into {@link FetchRequest#expected()} before the chain sees it). The
 * blob is served from the store when the alias table knows that hash (recorded when a package
 * was stored after its SHA-256 check, {@link AliasRecordingWriter}); otherwise the upstream chain
 * fetches it (politely, single flight) through {@link DigestCheckedWriter}, which stores it only
 * when its SHA-1 matches. Every other request goes on to {@code next} unchanged.
 */
final class ContentFetcher implements Fetcher {
  private final Storage storage;
  private final Executor storageExecutor;
  private final Fetcher upstream;
  private final Fetcher next;

  ContentFetcher(Storage storage, Executor storageExecutor, Fetcher upstream, Fetcher next) {
    this.storage = storage;
    this.storageExecutor = storageExecutor;
    this.upstream = upstream;
    this.next = next;
  }

  /** {@code request} as a content-addressed request: answered by the alias, from any base. */
  static boolean applies(FetchRequest request) {
    return request.expected() != null && request.expected().sha256() == null && request.expected().alias() != null;
  }

  @Override
  public CompletableFuture<Fetched> fetch(FetchRequest request) {
    if (!applies(request)) {
      return next.fetch(request);
    }
    return CompletableFuture.supplyAsync(() -> stored(request.expected().alias()), storageExecutor)
        .thenCompose(stored -> stored.isPresent() ? CompletableFuture.completedFuture(stored.get())
            : upstream.fetch(request).thenApply(f -> new Annotated(f, Provenance.NONE.forever())));
  }

  private Optional<Fetched> stored(Alias alias) {
    try {
      Optional<Digest> digest = storage.aliases().resolve(alias);
      Optional<BlobInfo> info = digest.isEmpty() ? Optional.empty() : storage.blobs().stat(digest.get());
      // Content-addressed: it can never change, so it is cacheable forever.
      return info.map(i -> new Annotated(new StoredFetcher.Stored(storage, i, true), Provenance.NONE.forever()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
