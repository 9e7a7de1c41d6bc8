package dev.reprox.server.trust;

import static dev.reprox.server.LogSafe.escape;

import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingSource;
import dev.reprox.pinning.RootIndex;
import dev.reprox.server.fetch.FetchException;
import dev.reprox.server.fetch.FetchRequest;
import dev.reprox.server.fetch.Fetched;
import dev.reprox.server.fetch.Fetcher;
import dev.reprox.server.fetch.SignedRepository;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import dev.reprox.storage.PathEntry;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes a generation's trust chain on its own: for a package path that no indexed listing of
 * the generation names, fetches the listings its verified root says could name it (the format
 * decides which: {@link dev.reprox.pinning.Format#listingsNaming}), one after the other until one
 * does. Each comes through the byte chain with the root's SHA-256 and size as its expectation
 * (offline guard, single flight, polite upstream, checked fill; at T the snapshot server when the
 * upstream no longer has it), so a tampered listing is cut and never stored or indexed; each is
 * fetched once per listing digest however many requests need it ({@link ListingIndexer}), and only
 * a stored, indexed listing is asked. Lockfile pre-warming and watch build on
 * {@link #ensureListings}.
 */
public final class GenerationListings {
  private static final Logger log = LoggerFactory.getLogger(GenerationListings.class);

  private final dev.reprox.storage.Storage storage;
  private final ListingIndexer listings;
  private final Fetcher next;
  private final Executor work;

  public GenerationListings(dev.reprox.storage.Storage storage, ListingIndexer listings, Fetcher next, Executor work) {
    this.storage = storage;
    this.listings = listings;
    this.next = next;
    this.work = work;
  }

  /**
   * The entry of a listing of {@code root} (the generation) that names {@code path}, after
   * fetching and indexing, in turn, the listings that could name it and are not indexed yet.
   * Empty when none names it; fails when none names it and a listing could not be had (its bytes
   * did not match the root, the upstream failed): then nothing says the path is not there.
   * {@code at}: the request's T, for the snapshot server fallback; empty for live.
   */
  public CompletableFuture<Optional<PathEntry>> ensureListings(SignedRepository r, RootIndex root, String path,
      Optional<Instant> at) {
    List<ListingSource> sources = r.format().listingsNaming(root, path);
    return step(r, root, path, at, sources, 0, null);
  }

  private CompletableFuture<Optional<PathEntry>> step(SignedRepository r, RootIndex root, String path,
      Optional<Instant> at, List<ListingSource> sources, int i, FetchException failed) {
    if (i >= sources.size()) {
      return failed == null ? CompletableFuture.completedFuture(Optional.empty())
          : CompletableFuture.failedFuture(failed);
    }
    ListingSource source = sources.get(i);
    CompletableFuture<Void> indexed;
    try {
      indexed = indexed(r, source, path, at);
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    // Indexed already (maybe by a concurrent request since this one last looked) or now: ask it.
    return indexed.thenApplyAsync(v -> lookup(r, root, path), work).handle((found, error) -> {
      if (error == null) {
        return found.isPresent() ? CompletableFuture.completedFuture(found)
            : step(r, root, path, at, sources, i + 1, failed);
      }
      FetchException f = FetchException.of(error, new FetchRequest(r.config(), path, at, null, null));
      return step(r, root, path, at, sources, i + 1, failed == null ? f : failed);
    }).thenCompose(f -> f);
  }

  /**
   * Completes when {@code source} is stored and indexed, fetching and checking it first when it
   * is not; fails with why it could not be had. {@code forPath}: what needs it, for the log.
   */
  private CompletableFuture<Void> indexed(SignedRepository r, ListingSource source, String forPath,
      Optional<Instant> at) throws IOException {
    ListedFile listing = source.listing();
    // Named by an alias only (dnf repomd.xml by sha512 or sha1): the blob a fill checked against it, if any.
    Optional<Digest> known = listing.knownSha256(storage.aliases());
    if (known.isPresent() && storage.paths().isIndexed(r.name(), known.get())) {
      return CompletableFuture.completedFuture(null);
    }
    AtomicReference<FetchException> why = new AtomicReference<>();
    Alias alias = listing.sha256() == null ? listing.aliases().get(0) : null;
    CompletableFuture<Void> indexed = known.isPresent() && storage.blobs().stat(known.get()).isPresent()
        ? listings.index(r, listing.path(), known.get())
        : listings.fetchThenIndex(r, listing.path(), listing.sha256(), alias, () -> fetch(r, source, at, why));
    return indexed.handleAsync((v, error) -> {
      try {
        Optional<Digest> stored = listing.knownSha256(storage.aliases());
        if (error == null && stored.isPresent() && storage.paths().isIndexed(r.name(), stored.get())) {
          return null;
        }
      } catch (IOException e) {
        throw new FetchException(FetchException.Kind.STORAGE, "look up " + r.name() + "/" + forPath + ": "
            + e.getMessage(), e);
      }
      FetchException reason = why.get() != null ? why.get() : new FetchException(FetchException.Kind.INTEGRITY,
          "fetch listing " + r.name() + "/" + source.fetchPath() + " " + (alias != null ? alias : listing.sha256())
              + ": not indexed (" + (error != null ? FetchException.unwrap(error).getMessage()
              : "its body did not match the root's " + (alias != null ? alias.kind() : "SHA-256")
              + " and size, or was cut; nothing stored") + ")");
      log.warn("listing {}/{} for {}: {}", r.name(), escape(source.fetchPath()), escape(forPath),
          escape(reason.getMessage()));
      throw reason;
    }, work);
  }

  /**
   * Fetches and indexes every listing of {@code root} ({@link dev.reprox.pinning.Format#listings}:
   * one variant each, by-hash where offered), one after the other, live; for a watch with
   * {@code listings: true}. Completes with the number that could not be had (each is logged).
   */
  public CompletableFuture<Integer> ensureAll(SignedRepository r, RootIndex root) {
    return ensure(r, root, Optional.empty(), s -> true);
  }

  /**
   * As {@link #ensureAll}, for those of the listings {@code which} accepts, at {@code at} (the
   * snapshot server fallback as for a client at T): {@code reprox prewarm} of a {@code .buildinfo}
   * reads a generation's Packages of one architecture by name.
   */
  public CompletableFuture<Integer> ensure(SignedRepository r, RootIndex root, Optional<Instant> at,
      java.util.function.Predicate<ListingSource> which) {
    return all(r, root.path(), r.format().listings(root).stream().filter(which).toList(), at, 0, 0);
  }

  private CompletableFuture<Integer> all(SignedRepository r, String rootPath, List<ListingSource> sources,
      Optional<Instant> at, int i, int failed) {
    if (i >= sources.size()) {
      return CompletableFuture.completedFuture(failed);
    }
    CompletableFuture<Void> indexed;
    try {
      indexed = indexed(r, sources.get(i), rootPath, at);
    } catch (IOException | RuntimeException e) {
      indexed = CompletableFuture.failedFuture(e);
    }
    return indexed.handle((v, e) -> e == null ? 0 : 1)
        .thenCompose(f -> all(r, rootPath, sources, at, i + 1, failed + f));
  }

  /** {@code first}, else (after a 404) {@code fallback} through the byte chain. */
  private CompletableFuture<Fetched> orOn404(CompletableFuture<Fetched> first, FetchRequest request,
      FetchRequest fallback) {
    return first.exceptionallyCompose(e -> {
      FetchException f = FetchException.of(e, request);
      return f.kind() == FetchException.Kind.NOT_FOUND ? next.fetch(fallback) : CompletableFuture.failedFuture(f);
    });
  }

  private Optional<PathEntry> lookup(SignedRepository r, RootIndex root, String path) {
    try {
      return root.choose(storage.paths().lookup(r.name(), path), storage.aliases());
    } catch (IOException e) {
      throw new FetchException(FetchException.Kind.STORAGE, "look up " + r.name() + "/" + path + ": "
          + e.getMessage(), e);
    }
  }

  /** The listing through the byte chain, checked against the root; at T the snapshot server after a 404. */
  private CompletableFuture<Fetched> fetch(SignedRepository r, ListingSource source, Optional<Instant> at,
      AtomicReference<FetchException> why) {
    ListedFile listing = source.listing();
    // A listing named by an alias only is checked as an alias-only package is (PackageLocator.aliased).
    FetchRequest.Expected expected = listing.sha256() != null
        ? new FetchRequest.Expected(listing.sha256(), listing.size())
        : new FetchRequest.Expected(null, listing.size(), listing.aliases().get(0)).checkedBy(r.format()::bodyCheck);
    FetchRequest request = new FetchRequest(r.config(), source.fetchPath(), at, expected, null);
    log.info("fetch listing {}/{} ({}) to locate a package", r.name(), escape(source.fetchPath()),
        escape(source.listing().path()));
    CompletableFuture<Fetched> upstream = next.fetch(request);
    if (!source.fetchPath().equals(source.listing().path())) {
      // A mirror that prunes by-hash copies (or never had this variant's) may still serve the
      // listing under its own path; the same SHA-256 and size decide.
      upstream = orOn404(upstream, request, new FetchRequest(r.config(), source.listing().path(), at, expected, null));
    }
    Optional<URI> snapshot = at.flatMap(r::snapshotBase);
    if (snapshot.isPresent()) {
      upstream = orOn404(upstream, request,
          new FetchRequest(r.config(), source.listing().path(), at, expected, snapshot.get()));
    }
    return upstream.whenComplete((fetched, e) -> {
      if (e != null) {
        why.set(FetchException.of(e, request));
      }
    });
  }
}
