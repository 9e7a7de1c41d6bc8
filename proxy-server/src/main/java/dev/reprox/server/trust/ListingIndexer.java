package dev.reprox.server.trust;

import static dev.reprox.server.LogSafe.escape;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.Listings;
import dev.reprox.pinning.PathKind;
import dev.reprox.pinning.RootIndex;
import dev.reprox.server.fetch.BlobInputStream;
import dev.reprox.server.fetch.FetchException;
import dev.reprox.server.fetch.Fetched;
import dev.reprox.server.fetch.SignedRepository;
import dev.reprox.server.fetch.SingleFlight;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts listings (Packages, primary) into the {@link dev.reprox.storage.PathIndex}, and knows which
 * listings are on their way there: a listing being filled from the upstream, or stored and being
 * indexed. Both are registered under (repository, listing SHA-256) from the moment they start
 * until the index is committed, so a package request that finds nothing in the path index can
 * wait for exactly the listings of its generation that are still coming ({@link #settle}) instead
 * of answering 404 a moment too early. Nothing here blocks a thread on another: indexing runs as
 * one task on the storage executor and everyone else gets its future.
 *
 * <p>Over 250 lines because registration, settle, the set being indexed now and the parse-time
 * waiters ({@link ListedWaiters}) all read the one pending-listing registry; splitting them would
 * hand that registry out.
 */
public final class ListingIndexer {
  private static final Logger log = LoggerFactory.getLogger(ListingIndexer.class);

  private final Storage storage;
  private final Executor storageExecutor;
  /** Fills and indexing in progress by {@link #key}; an entry leaves only after its index is committed. */
  private final SingleFlight<String, Void> pending = new SingleFlight<>();
  /** Told each entry as a listing is parsed (deferred package fills, issue 14). */
  private final ListedWaiters waiters = new ListedWaiters();
  /** Completed (and replaced) whenever a {@link #settle} has to wait: lets tests order a race. */
  private final AtomicReference<CompletableFuture<Void>> waited = new AtomicReference<>(new CompletableFuture<>());

  public ListingIndexer(Storage storage, Executor storageExecutor) {
    this.storage = storage;
    this.storageExecutor = storageExecutor;
  }

  private static String key(SignedRepository r, Digest listing) {
    return r.name() + " " + listing;
  }

  /**
   * A listing its root names by an alias only (dnf repomd.xml by sha512 or sha1): registered
   * under that alias while it is filled, as its SHA-256 is not known before the fill is stored.
   */
  private static String key(SignedRepository r, Alias listing) {
    return r.name() + " " + listing;
  }

  private static String key(SignedRepository r, ListedFile listing) {
    return listing.sha256() != null ? key(r, listing.sha256()) : key(r, listing.aliases().get(0));
  }

  /**
   * Indexes the stored listing {@code digest} unless it is indexed already; one task per listing,
   * shared by every caller. The future completes when the index is committed, or fails with the
   * reason it could not be (the listing stays un-indexed, and the next caller tries again).
   */
  public CompletableFuture<Void> index(SignedRepository r, String path, Digest digest) {
    return pending.run(key(r, digest), () -> indexTask(r, path, digest));
  }

  /** One indexing task on the storage executor, not registered: callers hold the key. */
  private CompletableFuture<Void> indexTask(SignedRepository r, String path, Digest digest) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    storageExecutor.execute(() -> { // a refusal (overloaded, shutting down) fails the caller's future
      try {
        indexBlocking(r, path, digest);
        done.complete(null);
      } catch (IOException | RuntimeException e) {
        log.warn("index listing {}/{} {}: {}", r.name(), escape(path), digest, escape(e));
        done.completeExceptionally(e);
      }
    });
    return done;
  }

  /**
   * A listing whose body is still coming ({@code fetch}: the fill, or its start), registered from
   * now under {@code digest} and indexed once the fill is stored. {@code digest} is null when the
   * root names the listing by an alias only: then nothing can be registered ahead, and the stored
   * blob's digest is indexed. The future completes when the index is committed or there is nothing
   * to index (the fill failed: nothing stored); it fails when indexing failed.
   */
  public CompletableFuture<Void> fillThenIndex(SignedRepository r, String path, Digest digest,
      CompletableFuture<? extends Fetched> fetch) {
    return fetchThenIndex(r, path, digest, () -> fetch);
  }

  /**
   * {@link #fillThenIndex} of a listing its root names by {@code alias} only: registered under the
   * alias from now, so {@link #settle} waits for it; the stored blob's digest is indexed.
   */
  public CompletableFuture<Void> fillThenIndex(SignedRepository r, String path, Alias alias,
      CompletableFuture<? extends Fetched> fetch) {
    return fetchThenIndex(r, path, null, alias, () -> fetch);
  }

  /**
   * {@link #fillThenIndex}, but the fetch is started ({@code start.get()}) only when no fill or
   * indexing of {@code digest} is registered yet: the listing fetch reprox starts on its own
   * ({@link GenerationListings}) asks the upstream once per listing digest, however many package
   * requests need it and whether a client's own listing request got there first.
   */
  public CompletableFuture<Void> fetchThenIndex(SignedRepository r, String path, Digest digest,
      Supplier<? extends CompletableFuture<? extends Fetched>> start) {
    return fetchThenIndex(r, path, digest, null, start);
  }

  /**
   * {@link #fetchThenIndex}, for a listing named by its SHA-256 ({@code digest}) or, when that is
   * null, by {@code alias} only (registered under the alias until its index is committed).
   */
  public CompletableFuture<Void> fetchThenIndex(SignedRepository r, String path, Digest digest, Alias alias,
      Supplier<? extends CompletableFuture<? extends Fetched>> start) {
    if (digest == null && alias != null) {
      return pending.run(key(r, alias), () -> storedThenIndexed(start.get(), stored -> indexTask(r, path, stored)));
    }
    if (digest == null) {
      return storedThenIndexed(start.get(), stored -> index(r, path, stored));
    }
    // The key is held from the fill's start to the index commit: a package request in between
    // waits for exactly this (settle), and the index runs under the same key, once.
    return pending.run(key(r, digest), () -> storedThenIndexed(start.get(), stored -> indexTask(r, path, stored)));
  }

  /** After {@code fetch} settles, {@code index} of the stored blob; nothing when nothing was stored. */
  private static CompletableFuture<Void> storedThenIndexed(CompletableFuture<? extends Fetched> fetch,
      Function<Digest, CompletableFuture<Void>> index) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    fetch.whenComplete((fetched, error) -> {
      if (error != null) {
        done.complete(null); // the fill failed: nothing stored, nothing to index
        return;
      }
      fetched.settled().whenComplete((v, e) -> {
        Digest stored = fetched.digest().orElse(null);
        if (stored == null) {
          done.complete(null);
          return;
        }
        CompletableFuture<Void> indexed;
        try {
          indexed = index.apply(stored);
        } catch (RuntimeException refused) {
          indexed = CompletableFuture.failedFuture(refused);
        }
        indexed.whenComplete((v2, e2) -> {
          if (e2 == null) {
            done.complete(null);
          } else {
            done.completeExceptionally(FetchException.unwrap(e2));
          }
        });
      });
    });
    return done;
  }

  /**
   * Completes when every listing of {@code index} that is stored or being filled is indexed:
   * pending ones are awaited, stored un-indexed ones are indexed now. Fails with the first reason
   * a listing could not be indexed.
   */
  public CompletableFuture<Void> settle(SignedRepository r, RootIndex index) {
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    try {
      for (ListedFile f : index.files().values()) {
        if (r.format().classify(f.path()) != PathKind.LISTING) {
          continue;
        }
        Optional<CompletableFuture<Void>> running = pending.running(key(r, f));
        if (running.isPresent()) {
          waits.add(running.get());
          continue;
        }
        // A listing named by an alias only: the blob a fill checked against that alias, if any.
        Optional<Digest> digest = f.knownSha256(storage.aliases());
        if (digest.isPresent() && !storage.paths().isIndexed(r.name(), digest.get())
            && storage.blobs().stat(digest.get()).isPresent()) {
          waits.add(index(r, f.path(), digest.get()));
        }
      }
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Void> all = CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
    if (!all.isDone()) {
      waited.getAndSet(new CompletableFuture<>()).complete(null);
    }
    return all;
  }

  /**
   * The listings of {@code index} being filled or indexed right now (their SHA-256): while one is,
   * the generation's answer for a package is still coming, and no earlier generation may be asked
   * in its place (the client may hold that very listing already: its response does not wait for
   * the index).
   */
  public Set<Digest> indexing(SignedRepository r, RootIndex index) {
    Set<Digest> out = new java.util.HashSet<>();
    for (ListedFile f : index.files().values()) {
      if (f.sha256() != null && r.format().classify(f.path()) == PathKind.LISTING
          && pending.running(key(r, f.sha256())).filter(running -> !running.isDone()).isPresent()) {
        out.add(f.sha256());
      }
    }
    return out;
  }

  /**
   * Whether a listing of {@code index} that its root names by an alias only is being filled or
   * indexed: it is not in {@link #indexing} (its SHA-256 is not known before it is stored), but
   * the generation's answer is still coming all the same, and {@link #settle} waits for it.
   */
  public boolean aliasListingPending(SignedRepository r, RootIndex index) {
    for (ListedFile f : index.files().values()) {
      if (f.sha256() == null && r.format().classify(f.path()) == PathKind.LISTING
          && pending.running(key(r, f)).filter(running -> !running.isDone()).isPresent()) {
        return true;
      }
    }
    return false;
  }

  /** The per-path waiters the indexing parser tells (deferred package fills). */
  public ListedWaiters waiters() {
    return waiters;
  }

  /** Completes when the fill or indexing of listing {@code listing} running now is over, at once when none is (tests). */
  public CompletableFuture<Void> whenSettled(String repo, Digest listing) {
    return pending.running(repo + " " + listing).orElse(CompletableFuture.completedFuture(null));
  }

  /** Completes when a package lookup next waits for a listing of its generation (tests). */
  public CompletableFuture<Void> nextWait() {
    return waited.get();
  }

  private void indexBlocking(SignedRepository r, String path, Digest digest) throws IOException {
    if (storage.paths().isIndexed(r.name(), digest)) {
      return;
    }
    long start = System.nanoTime();
    try {
      long n = Listings.index(storage.paths(), r.name(), digest,
          waiters.observing(r.name(), digest,
              r.format().openListing(path, new BlobInputStream(storage.blobs().open(digest)))));
      log.info("indexed {}/{} {}: {} files in {} ms", r.name(), escape(path), digest, n,
          (System.nanoTime() - start) / 1_000_000);
    } catch (IndexParseException e) {
      throw new IOException("index listing " + r.name() + "/" + path + " " + digest + ": " + e.getMessage(), e);
    }
  }
}
