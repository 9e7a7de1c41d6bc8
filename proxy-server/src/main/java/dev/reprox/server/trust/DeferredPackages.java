package dev.reprox.server.trust;

import dev.reprox.pinning.RootIndex;
import dev.reprox.server.fetch.FetchException;
import dev.reprox.server.fetch.FetchRequest;
import dev.reprox.server.fetch.SignedRepository;
import dev.reprox.storage.Digest;
import dev.reprox.storage.PathEntry;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A package asked for while a listing of its generation is still being filled or indexed (issue
 * 14): located at once as {@link Located.Basis#DEFERRED}, its expectation a
 * {@link FetchRequest.Later}, so the byte chain starts its fill instead of waiting for the whole
 * index. The expectation comes from the first of: the indexing parser reading the stanza that
 * names the path ({@link ListedWaiters}); once the generation's pending listings are committed
 * ({@link ListingIndexer#settle}), the path index; for a live request, an earlier generation's
 * indexed listing (as {@link PreviousGenerations} answers when nothing of the current generation
 * names it); the generation's other listings that could name it, fetched
 * ({@link GenerationListings}). None: the expectation fails and the fill is cut. The fill holds its
 * last byte until the expectation is known and matched, as every fill does, so nothing unverified
 * is ever complete at a client, and nothing unverified is stored.
 */
final class DeferredPackages {
  /**
   * How long a whole body may wait for its expectation: far beyond an index of the largest
   * listing under load (bookworm main: 16-18 s), short of a client waiting forever.
   */
  static final Duration MAX_WAIT = Duration.ofMinutes(5);

  private final Storage storage;
  private final ListingIndexer listings;
  private final PreviousGenerations previous;
  private final GenerationListings generationListings;
  private final Executor work;

  DeferredPackages(Storage storage, ListingIndexer listings, PreviousGenerations previous,
      GenerationListings generationListings, Executor work) {
    this.storage = storage;
    this.listings = listings;
    this.previous = previous;
    this.generationListings = generationListings;
    this.work = work;
  }

  /**
   * {@code request}'s package, its expectation deferred to what the verified listings of
   * {@code gen} will say ({@code indexing}: those of them being filled or indexed now).
   * {@code afterIndexing}: the lookup once they are committed, for the byte chain when the upstream
   * refuses the fill.
   */
  Located locate(SignedRepository r, FetchRequest request, Generations.Gen gen, Set<Digest> indexing,
      Supplier<CompletableFuture<Located>> afterIndexing) {
    CompletableFuture<PathEntry> entry = entry(r, request, gen, indexing);
    FetchRequest.Later later = new FetchRequest.Later(gen.index().digest().hex(),
        entry.thenApply(DeferredPackages::expected));
    FetchRequest.Expected expected = FetchRequest.Expected.deferred(later, PackageLocator.aliasKinds(r));
    return new Located(r, request, Located.Basis.DEFERRED, expected, gen.provenance().forever(), Optional.empty(),
        List.of(), false, null, afterIndexing);
  }

  private static FetchRequest.Expected expected(PathEntry e) {
    return e.expected().sha256() != null ? new FetchRequest.Expected(e.expected().sha256(), e.size())
        : new FetchRequest.Expected(null, e.size(), e.expected().alias());
  }

  /** What names {@code request.path()} for {@code gen}, as soon as it is known (see the class). */
  CompletableFuture<PathEntry> entry(SignedRepository r, FetchRequest request, Generations.Gen gen,
      Set<Digest> indexing) {
    CompletableFuture<PathEntry> found = new CompletableFuture<>();
    CompletableFuture<PathEntry> parsed = listings.waiters().await(r.name(), request.path(), indexing);
    parsed.thenAccept(found::complete);
    listings.settle(r, gen.index())
        .thenApplyAsync(v -> indexed(r, request, gen), work)
        .thenCompose(e -> e.isPresent() ? CompletableFuture.completedFuture(e)
            : generationListings.ensureListings(r, gen.index(), request.path(), request.at()))
        .whenComplete((e, error) -> {
          if (error != null) {
            found.completeExceptionally(FetchException.unwrap(error));
          } else if (e.isPresent()) {
            found.complete(e.get());
          } else {
            found.completeExceptionally(new FetchException(FetchException.Kind.NOT_FOUND, "fetch " + request
                + ": no listing of generation " + gen.index().digest() + " names it",
                PackageLocator.notListed(request)));
          }
        });
    found.whenComplete((e, error) -> parsed.cancel(false)); // unregisters the waiter
    return found.orTimeout(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** After the generation's pending listings settled: its path index, else (live) an earlier generation's. */
  private Optional<PathEntry> indexed(SignedRepository r, FetchRequest request, Generations.Gen gen) {
    try {
      var candidates = storage.paths().lookup(r.name(), request.path());
      Optional<PathEntry> chosen = gen.index().choose(candidates, storage.aliases());
      if (chosen.isPresent() || request.at().isPresent()) {
        return chosen;
      }
      RootIndex current = gen.index();
      return previous.newestNaming(r, gen.root(), current, candidates).map(PreviousGenerations.Found::entry);
    } catch (IOException e) {
      throw new FetchException(FetchException.Kind.STORAGE, "fetch " + request + ": " + e.getMessage(), e);
    }
  }
}
