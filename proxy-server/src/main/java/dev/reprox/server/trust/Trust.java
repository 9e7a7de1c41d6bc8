package dev.reprox.server.trust;

import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.PathKind;
import dev.reprox.pinning.Resolver;
import dev.reprox.pinning.RootGroup;
import dev.reprox.server.fetch.FetchException;
import dev.reprox.server.fetch.FetchRequest;
import dev.reprox.server.fetch.Fetcher;
import dev.reprox.server.fetch.PinReporter;
import dev.reprox.server.fetch.Provenance;
import dev.reprox.server.fetch.SignedRepository;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The one place that knows what the bytes of a signed repository's path must be (DESIGN.md §5.1):
 * {@link #locate} answers a request with a {@link Located} (expected SHA-256, size and aliases,
 * provenance, fallback sources) or a kind-carrying {@link FetchException}. It owns the roots
 * ({@link Roots}, verified and recorded), the generation a request gets ({@link Generations}),
 * listing indexing ({@link ListingIndexer}), earlier generations ({@link PreviousGenerations}) and
 * the listings it fetches itself ({@link GenerationListings}); packages are located by
 * {@link PackageLocator}. Root indexes and their detached signatures are answered too: their bytes
 * are the ones {@link Roots} verified and stored, so their expected digest is the generation's.
 */
public final class Trust {
  private final Map<String, SignedRepository> repositories;
  private final Roots roots;
  private final Executor work;
  private final ListingIndexer listings;
  private final Generations generations;
  private final GenerationListings generationListings;
  private final PackageLocator packages;

  /**
   * @param work the executor root work (resolve, verify, parse, storage lookups) runs on
   * @param storageExecutor where listings are indexed
   * @param byteChain how a listing trust fetches itself travels (offline guard, single flight,
   *     checked upstream fill), carrying the root's expectation
   */
  public Trust(Map<String, SignedRepository> repositories, Storage storage, Roots roots, Resolver resolver,
      PinReporter pins, Executor work, Executor storageExecutor, Fetcher byteChain) {
    this.repositories = Map.copyOf(repositories);
    this.roots = roots;
    this.work = work;
    this.listings = new ListingIndexer(storage, storageExecutor);
    this.generations = new Generations(storage, roots, resolver, pins);
    this.generationListings = new GenerationListings(storage, listings, byteChain, work);
    this.packages = new PackageLocator(storage, roots, generations, listings, generationListings,
        new PreviousGenerations(storage, roots), work);
  }

  /** What {@code request}'s bytes must be. Never blocks the caller; completes on the work executor. */
  public CompletableFuture<Located> locate(FetchRequest request) {
    return locate(request, CompletableFuture::completedFuture);
  }

  /**
   * {@link #locate}, then {@code then} with the answer, run where the answer was made: for a path
   * outside every trust chain ({@link Located.Basis#UNVOUCHED}) on the caller's thread (so
   * {@code then} must not block for it), otherwise on the work executor (where it may block on
   * storage). Saves the byte chain a second executor hop per request.
   */
  public <T> CompletableFuture<T> locate(FetchRequest request,
      Function<? super Located, ? extends CompletionStage<T>> then) {
    SignedRepository r = repositories.get(request.repository().name());
    if (r == null) {
      return CompletableFuture.failedFuture(new FetchException(FetchException.Kind.STORAGE, "fetch " + request
          + ": repository disabled at startup (its keyring failed to load; see the log)"));
    }
    PathKind kind = r.format().classify(request.path());
    if (kind == PathKind.OTHER) {
      return then.apply(Located.unvouched(r, request)).toCompletableFuture();
    }
    return CompletableFuture.supplyAsync(() -> {
      try {
        CompletableFuture<Located> located = switch (kind) {
          case ROOT_INDEX, DETACHED_SIGNATURE -> CompletableFuture.completedFuture(root(r, request));
          case LISTING, SUB_INDEX -> CompletableFuture.completedFuture(listed(r, request, kind));
          case BY_HASH -> CompletableFuture.completedFuture(byHash(r, request));
          case PACKAGE -> packages.locate(r, request);
          case OTHER -> throw new IllegalStateException("handled above");
        };
        return located.thenCompose(then);
      } catch (IOException e) {
        throw new FetchException(FetchException.Kind.STORAGE, "fetch " + request + ": " + e.getMessage(), e);
      }
    }, work).thenCompose(f -> f);
  }

  // ---- roots ----

  private Located root(SignedRepository r, FetchRequest request) throws IOException {
    String path = request.path();
    RootGroup group = r.format().rootGroup(path).orElseThrow();
    if (request.at().isEmpty()) {
      if (r.format().classify(path) == PathKind.ROOT_INDEX) {
        Roots.Live live = roots.liveBlocking(r, path, false);
        return rootAnswer(r, request, live.index().digest(), Generations.liveProvenance(live.index()).asRoot(),
            live.fetched());
      }
      String detached = group.detached().orElseThrow();
      Roots.Live live = roots.liveBlocking(r, detached, false);
      return rootAnswer(r, request, live.signature(), Generations.liveProvenance(live.index()), live.fetched());
    }
    // At T: the inline root decides the generation; the detached pair is served for the same one.
    String primary = group.inline().orElseGet(() -> group.detached().orElseThrow()); // lazily: apk has no detached form
    Generations.Gen gen = generations.at(r, primary, request.at().get());
    if (path.equals(primary)) {
      return rootAnswer(r, request, gen.index().digest(), gen.provenance().asRoot(), false);
    }
    Digest content = gen.index().contentDigest();
    if (group.detached().filter(path::equals).isPresent()) {
      return rootAnswer(r, request, content, gen.provenance().asRoot(), false);
    }
    Optional<Digest> sig = roots.signatureOf(r, group.detached().orElseThrow(), content);
    if (sig.isEmpty()) {
      throw new FetchException(FetchException.Kind.NOT_FOUND, "fetch " + request + ": the detached signature of "
          + "generation " + gen.index().digest() + " was never fetched; use " + primary);
    }
    return rootAnswer(r, request, sig.get(), gen.provenance(), false);
  }

  private static Located rootAnswer(SignedRepository r, FetchRequest request, Digest digest, Provenance p,
      boolean fetched) {
    if (digest == null) {
      throw new FetchException(FetchException.Kind.NOT_FOUND, "fetch " + request + ": not stored");
    }
    return Located.root(r, request, digest, p, fetched);
  }

  // ---- below the root ----

  private Located listed(SignedRepository r, FetchRequest request, PathKind kind) throws IOException {
    Optional<String> listing = kind == PathKind.LISTING ? Optional.of(request.path()) : Optional.empty();
    for (String root : generations.knownRoots(r, request, request.path())) {
      Generations.Gen gen = generations.of(r, root, request.at());
      Optional<ListedFile> f = gen.index().lookup(request.path());
      if (f.isPresent() && f.get().sha256() != null) {
        FetchRequest.Expected expected = new FetchRequest.Expected(f.get().sha256(), f.get().size());
        return new Located(r, request, Located.Basis.LISTED, expected, gen.provenance(), listing, List.of(), false,
            null);
      }
      if (f.isPresent() && !f.get().aliases().isEmpty()) { // repomd <checksum type="sha512"> or "sha1"
        return PackageLocator.aliased(r, request, f.get(), gen.provenance(), listing);
      }
    }
    throw new FetchException(FetchException.Kind.NOT_FOUND, "fetch " + request
        + ": not listed in the repository's root index for this time", PackageLocator.notListed(request));
  }

  private Located byHash(SignedRepository r, FetchRequest request) throws IOException {
    Digest digest = r.format().byHash(request.path()).orElseThrow(() -> new FetchException(
        FetchException.Kind.NOT_FOUND, "fetch " + request + ": not a SHA-256 by-hash path"));
    long size = -1;
    Provenance p = Provenance.NONE.forever();
    Optional<String> listing = Optional.empty();
    for (String root : generations.primaryRoots(r, request.path())) {
      Generations.Gen gen = generations.of(r, root, request.at());
      Optional<ListedFile> f = gen.index().byContent(digest);
      if (f.isPresent()) {
        size = f.get().size();
        p = gen.provenance().forever();
        listing = r.format().classify(f.get().path()) == PathKind.LISTING ? Optional.of(f.get().path())
            : Optional.empty();
        break;
      }
    }
    // A by-hash body verifies itself: its path names its digest.
    return new Located(r, request, Located.Basis.LISTED, new FetchRequest.Expected(digest, size), p, listing,
        List.of(), false, null);
  }

  // ---- for the byte chain, prewarm and the watch ----

  /** Listing indexing: the byte chain registers a listing's fill here; it is indexed behind its response. */
  public ListingIndexer listings() {
    return listings;
  }

  /** The on-demand listing fetch, shared with the watch so both coalesce per listing digest. */
  public GenerationListings generationListings() {
    return generationListings;
  }

  /** The generation of {@code root} at {@code at} (live when empty), resolved and pinned as for a client (prewarm). */
  public Generations.Gen generation(SignedRepository r, String root, Optional<Instant> at) throws IOException {
    return generations.of(r, root, at);
  }
}
