package dev.reprox.server.fetch;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.PathKind;
import dev.reprox.pinning.Resolver;
import dev.reprox.pinning.RootGroup;
import dev.reprox.pinning.RootIndex;
import dev.reprox.server.trust.GenerationListings;
import dev.reprox.server.trust.Generations;
import dev.reprox.server.trust.ListingIndexer;
import dev.reprox.server.trust.PreviousGenerations;
import dev.reprox.server.trust.Roots;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import dev.reprox.storage.PathEntry;
import dev.reprox.storage.Ref;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The signed-repository fetch path (DESIGN.md §2, §3), format-neutral: {@code format.classify}
 * says what a path is, and every body below a root is checked against what the generation (live:
 * the current one; at T: the resolved, pinned one) says it must be before it is stored or
 * completed to a client. Root work (resolve, verify, parse) runs on the work executor; bodies go
 * through {@code next} (offline guard, single flight, upstream fill with {@code commit(expected)}).
 *
 * <p>Over 250 lines because the package lookup's passes (indexed listings, listings being
 * indexed, earlier generations, {@link GenerationListings}) share the generation, the chosen-entry
 * cache and the listing indexing with the other kinds; generation choice lives in
 * {@link Generations}. The next split is package location into a class of its own.
 */
final class SignedFetcher implements Fetcher {

  private final Map<String, SignedRepository> repositories;
  private final Storage storage;
  private final Roots roots;
  private final Executor work;
  private final Executor storageExecutor;
  private final Fetcher next;
  private final Fetcher passThrough;
  private final Fetcher relay;
  /**
   * What a generation's listings say of a package path: immutable once found (a listing digest's
   * entries never change), so hot packages skip the path index scan (docs/performance.md).
   */
  private final Cache<ChosenKey, PathEntry> chosenByGeneration = Caffeine.newBuilder().maximumSize(10_000).build();

  private record ChosenKey(String repo, Digest generation, String path) {}

  private final ListingIndexer listings;
  private final PreviousGenerations previous;
  private final Generations generations;
  private final GenerationListings generationListings;
  private final DeferredPackages deferred;

  SignedFetcher(Map<String, SignedRepository> repositories, Storage storage, Roots roots, Resolver resolver,
      Executor work, Executor storageExecutor, Fetcher next, Fetcher passThrough, Fetcher relay, PinReporter pins) {
    this.repositories = repositories;
    this.storage = storage;
    this.roots = roots;
    this.work = work;
    this.storageExecutor = storageExecutor;
    this.next = next;
    this.passThrough = passThrough;
    this.relay = relay;
    this.listings = new ListingIndexer(storage, storageExecutor);
    this.previous = new PreviousGenerations(storage, roots);
    this.generations = new Generations(storage, roots, resolver, pins);
    this.generationListings = new GenerationListings(storage, listings, next, work);
    this.deferred = new DeferredPackages(storage, listings, previous, generationListings, next, work);
  }

  /** The locate step's listing fetch, shared with the watch so both coalesce per listing digest. */
  GenerationListings generationListings() {
    return generationListings;
  }

  @Override
  public CompletableFuture<Fetched> fetch(FetchRequest request) {
    SignedRepository r = repositories.get(request.repository().name());
    if (r == null) {
      return CompletableFuture.failedFuture(new FetchException(FetchException.Kind.STORAGE, "fetch " + request
          + ": repository disabled at startup (its keyring failed to load; see the log)"));
    }
    PathKind kind = r.format().classify(request.path());
    if (kind == PathKind.OTHER) {
      if (request.at().isPresent()) {
        return async(() -> storedRef(r, request));
      }
      // Without a keyring nothing vouches for the repository, so only the paths its format
      // classifies are kept; anything else is relayed and forgotten (docs/decisions.md).
      return r.verified() ? passThrough.fetch(request) : relay.fetch(request);
    }
    return CompletableFuture.supplyAsync(() -> {
      try {
        return switch (kind) {
          case ROOT_INDEX, DETACHED_SIGNATURE -> CompletableFuture.completedFuture(root(r, request));
          case LISTING, SUB_INDEX -> listed(r, request, kind);
          case BY_HASH -> byHash(r, request);
          case PACKAGE -> pkg(r, request);
          case OTHER -> throw new IllegalStateException("handled above");
        };
      } catch (IOException e) {
        throw new FetchException(FetchException.Kind.STORAGE, "fetch " + request + ": " + e.getMessage(), e);
      }
    }, work).thenCompose(f -> f);
  }

  private interface Blocking {
    Fetched get() throws IOException;
  }

  private CompletableFuture<Fetched> async(Blocking b) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return b.get();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, storageExecutor);
  }

  // ---- roots ----

  private Fetched root(SignedRepository r, FetchRequest request) throws IOException {
    String path = request.path();
    RootGroup group = r.format().rootGroup(path).orElseThrow();
    if (request.at().isEmpty()) {
      if (r.format().classify(path) == PathKind.ROOT_INDEX) {
        Roots.Live live = roots.liveBlocking(r, path, false);
        return missedIf(live, stored(request, live.index().digest(), Generations.liveProvenance(live.index()).asRoot()));
      }
      String detached = group.detached().orElseThrow();
      Roots.Live live = roots.liveBlocking(r, detached, false);
      return missedIf(live, stored(request, live.signature(), Generations.liveProvenance(live.index())));
    }
    // At T: the inline root decides the generation; the detached pair is served for the same one.
    String primary = group.inline().orElseGet(() -> group.detached().orElseThrow()); // lazily: apk has no detached form
    Generations.Gen gen = generations.at(r, primary, request.at().get());
    if (path.equals(primary)) {
      return stored(request, gen.index().digest(), gen.provenance().asRoot());
    }
    Digest content = gen.index().contentDigest();
    if (group.detached().filter(path::equals).isPresent()) {
      return stored(request, content, gen.provenance().asRoot());
    }
    Optional<Digest> sig = roots.signatureOf(r, group.detached().orElseThrow(), content);
    if (sig.isEmpty()) {
      throw new FetchException(FetchException.Kind.NOT_FOUND, "fetch " + request + ": the detached signature of "
          + "generation " + gen.index().digest() + " was never fetched; use " + primary);
    }
    return stored(request, sig.get(), gen.provenance());
  }

  /**
   * A live root fetched from the upstream for this request is a miss (X-Reprox-Cache, request
   * metrics), though its bytes are answered from the store where the round just put them.
   */
  private static Fetched missedIf(Roots.Live live, Fetched stored) {
    return live.fetched() ? Annotated.missed(stored) : stored;
  }

  // ---- below the root ----

  private CompletableFuture<Fetched> listed(SignedRepository r, FetchRequest request, PathKind kind)
      throws IOException {
    for (String root : generations.knownRoots(r, request, request.path())) {
      Generations.Gen gen = generations.of(r, root, request.at());
      Optional<ListedFile> f = gen.index().lookup(request.path());
      if (f.isPresent() && f.get().sha256() != null) {
        FetchRequest.Expected expected = new FetchRequest.Expected(f.get().sha256(), f.get().size());
        return verified(r, request.expecting(expected), gen.provenance(),
            kind == PathKind.LISTING ? request.path() : null, null, null);
      }
      if (f.isPresent() && !f.get().aliases().isEmpty()) { // repomd <checksum type="sha512"> or "sha1"
        return aliased(r, request, f.get(), gen.provenance(), kind == PathKind.LISTING ? request.path() : null);
      }
    }
    throw new FetchException(FetchException.Kind.NOT_FOUND, "fetch " + request
        + ": not listed in the repository's root index for this time", notListed(request));
  }

  private CompletableFuture<Fetched> byHash(SignedRepository r, FetchRequest request) throws IOException {
    Digest digest = r.format().byHash(request.path()).orElseThrow(() -> new FetchException(
        FetchException.Kind.NOT_FOUND, "fetch " + request + ": not a SHA-256 by-hash path"));
    long size = -1;
    Provenance p = Provenance.NONE.forever();
    String listing = null;
    for (String root : generations.primaryRoots(r, request.path())) {
      Generations.Gen gen = generations.of(r, root, request.at());
      Optional<ListedFile> f = gen.index().byContent(digest);
      if (f.isPresent()) {
        size = f.get().size();
        p = gen.provenance().forever();
        listing = r.format().classify(f.get().path()) == PathKind.LISTING ? f.get().path() : null;
        break;
      }
    }
    // A by-hash body verifies itself: its path names its digest.
    return verified(r, request.expecting(new FetchRequest.Expected(digest, size)), p, listing, null, null);
  }

  private CompletableFuture<Fetched> pkg(SignedRepository r, FetchRequest request) throws IOException {
    List<String> known = generations.knownRoots(r, request, null);
    Optional<String> naming = r.format().rootNaming(request.path());
    if (naming.isPresent() && !known.contains(naming.get()) && !roots.offline(r)) {
      // apk: the APKINDEX beside the package names it; resolving its generation fetches it.
      known = new ArrayList<>(known);
      known.add(naming.get());
    }
    return pkg(r, request, known, 0);
  }

  /**
   * {@code roots} the likeliest to name the package first, as its format weighs them
   * ({@link dev.reprox.pinning.Format#namingWeight}); a root whose generation cannot be had keeps its
   * place, and the second pass meets its failure as before.
   */
  private List<String> ranked(SignedRepository r, FetchRequest request, List<String> roots) throws IOException {
    if (roots.size() < 2) {
      return roots;
    }
    Map<String, Long> weight = new java.util.HashMap<>();
    for (String root : roots) {
      try {
        weight.put(root, r.format().namingWeight(generations.of(r, root, request.at()).index(), request.path()));
      } catch (FetchException e) {
        weight.put(root, 0L);
      }
    }
    List<String> out = new ArrayList<>(roots);
    out.sort(java.util.Comparator.comparing(weight::get, java.util.Comparator.reverseOrder()));
    return out;
  }

  /**
   * The second pass over {@code roots} once no indexed listing of any of their generations names
   * the path: each generation's listings that could name it are fetched and indexed
   * ({@link GenerationListings}), the likeliest root first. Offline nothing can be fetched, and
   * the answer stays the 404 of the first pass. {@code failed}: the first listing that could not
   * be had, answered instead of a 404 when no other names the path.
   */
  private CompletableFuture<Fetched> located(SignedRepository r, FetchRequest request, List<String> roots, int i,
      FetchException failed) throws IOException {
    if (i >= roots.size() || this.roots.offline(r)) {
      if (failed != null) {
        throw failed;
      }
      throw new FetchException(FetchException.Kind.NOT_FOUND, "fetch " + request
          + ": no listing of the repository's generation for this time names it", notListed(request));
    }
    Generations.Gen gen = generations.of(r, roots.get(i), request.at());
    ChosenKey key = new ChosenKey(r.name(), gen.index().digest(), request.path());
    return generationListings.ensureListings(r, gen.index(), request.path(), request.at())
        .handleAsync((found, error) -> {
          try {
            if (error != null) {
              FetchException f = FetchException.of(unwrap(error), request);
              return located(r, request, roots, i + 1, failed == null ? f : failed);
            }
            return found.isPresent() ? chosen(r, request, gen, key, found.get())
                : located(r, request, roots, i + 1, failed);
          } catch (IOException e) {
            throw new FetchException(FetchException.Kind.STORAGE, "fetch " + request + ": " + e.getMessage(), e);
          }
        }, work).thenCompose(f -> f);
  }

  /**
   * The package as the generation of {@code roots[i]} (else of a later root) names it. When no
   * indexed listing of that generation names it while one of its listings is being filled or
   * indexed, that listing decides ({@link #whileIndexing}: streamed with a deferred expectation,
   * never an earlier generation meanwhile). Otherwise a live request takes it as the newest of the
   * root's earlier generations whose indexed listing names it ({@link PreviousGenerations}: the
   * live root may have moved past the Packages the client installs from); failing that, and
   * always at T, stored un-indexed listings are indexed ({@link ListingIndexer#settle}) and the
   * path index asked again, so a package requested right after its listing is never a 404.
   */
  private CompletableFuture<Fetched> pkg(SignedRepository r, FetchRequest request, List<String> roots, int i)
      throws IOException {
    if (i >= roots.size()) {
      return located(r, request, ranked(r, request, roots), 0, null);
    }
    Generations.Gen gen = generations.of(r, roots.get(i), request.at());
    Optional<ListedFile> named = gen.index().lookup(request.path());
    if (named.isPresent() && named.get().sha256() == null) {
      return aliased(r, request, named.get(), gen.provenance().forever(), null);
    }
    ChosenKey key = new ChosenKey(r.name(), gen.index().digest(), request.path());
    PathEntry cached = chosenByGeneration.getIfPresent(key);
    if (cached != null) {
      return chosen(r, request, gen, key, cached);
    }
    List<PathEntry> candidates = storage.paths().lookup(r.name(), request.path());
    Optional<PathEntry> chosen = gen.index().choose(candidates);
    if (chosen.isPresent()) {
      return chosen(r, request, gen, key, chosen.get());
    }
    Set<Digest> indexing = listings.indexing(r, gen.index());
    if (!indexing.isEmpty()) {
      return whileIndexing(r, request, roots, i, gen, indexing, candidates);
    }
    if (request.at().isEmpty()) {
      Optional<PreviousGenerations.Found> earlier = previous.newestNaming(r, gen.root(), gen.index(), candidates);
      if (earlier.isPresent()) {
        RootIndex index = earlier.get().index();
        Generations.Gen older = new Generations.Gen(gen.root(), index, null, Generations.liveProvenance(index));
        ChosenKey olderKey = new ChosenKey(r.name(), index.digest(), request.path());
        return chosen(r, request, older, olderKey, earlier.get().entry());
      }
    }
    return listings.settle(r, gen.index()).exceptionally(e -> {
      throw new FetchException(FetchException.Kind.STORAGE, "fetch " + request + ": indexing a listing of generation "
          + gen.index().digest() + " failed: " + unwrap(e).getMessage(), unwrap(e));
    }).thenComposeAsync(settled -> {
      try {
        // Look again whatever settle waited for: a listing may have been indexed by its fill
        // between the first lookup and settle, and then nothing was left to wait for.
        Optional<PathEntry> again = gen.index().choose(storage.paths().lookup(r.name(), request.path()));
        return again.isPresent() ? chosen(r, request, gen, key, again.get()) : pkg(r, request, roots, i + 1);
      } catch (IOException e) {
        throw new FetchException(FetchException.Kind.STORAGE, "fetch " + request + ": " + e.getMessage(), e);
      }
    }, work);
  }

  /**
   * A listing of the generation is being filled or indexed: an earlier generation must not answer
   * meanwhile (the client may hold that listing already, its response does not wait for the
   * index), so the package streams at once with its expectation deferred to the generation's
   * listings ({@link DeferredPackages}). Offline, when the upstream refuses it, or when an earlier
   * listing's blob for the path is stored (the likely answer, not worth a download), the lookup
   * waits for those listings instead and starts over.
   */
  private CompletableFuture<Fetched> whileIndexing(SignedRepository r, FetchRequest request, List<String> roots,
      int i, Generations.Gen gen, Set<Digest> indexing, List<PathEntry> candidates) throws IOException {
    if (this.roots.offline(r) || anyStored(candidates)) {
      return afterSettle(r, request, roots, i, gen);
    }
    return deferred.fetch(r, request, gen, indexing).exceptionallyCompose(e -> {
      FetchException f = FetchException.of(unwrap(e), request);
      return f.kind() == FetchException.Kind.NOT_FOUND ? afterSettle(r, request, roots, i, gen)
          : CompletableFuture.failedFuture(f);
    });
  }

  private boolean anyStored(List<PathEntry> candidates) throws IOException {
    for (PathEntry e : candidates) {
      if (e.expected().sha256() != null && storage.blobs().stat(e.expected().sha256()).isPresent()) {
        return true;
      }
    }
    return false;
  }

  /** The lookup of {@code roots[i]} again once the generation's pending listings are indexed (or failed). */
  private CompletableFuture<Fetched> afterSettle(SignedRepository r, FetchRequest request, List<String> roots, int i,
      Generations.Gen gen) {
    return listings.settle(r, gen.index()).handleAsync((v, error) -> {
      try {
        return pkg(r, request, roots, i);
      } catch (IOException e) {
        throw new FetchException(FetchException.Kind.STORAGE, "fetch " + request + ": " + e.getMessage(), e);
      }
    }, work).thenCompose(x -> x);
  }

  private CompletableFuture<Fetched> chosen(SignedRepository r, FetchRequest request, Generations.Gen gen, ChosenKey key,
      PathEntry e) throws IOException {
    if (e.expected().sha256() == null) { // rpm pkgid sha1 or sha512
      return aliased(r, request, new ListedFile(e.path(), e.size(), null, List.of(e.expected().alias())),
          gen.provenance().forever(), null);
    }
    chosenByGeneration.put(key, e);
    FetchRequest verified = request.expecting(new FetchRequest.Expected(e.expected().sha256(), e.size()));
    Optional<URI> snapshot = request.at().flatMap(r::snapshotBase);
    return verified(r, verified, gen.provenance().forever(), null, snapshot.orElse(null), () -> aliasKinds(r, gen, e));
  }

  /**
   * The hashes a package fill records as aliases once its SHA-256 check passed: those its listing
   * names (MD5, SHA-1, SHA-512), and those its format always records
   * ({@link dev.reprox.pinning.Format#packageAliasKinds}: apt's SHA-1 for the snapshot server).
   */
  private Set<Alias.Kind> aliasKinds(SignedRepository r, Generations.Gen gen, PathEntry e) {
    Set<Alias.Kind> kinds = EnumSet.noneOf(Alias.Kind.class);
    kinds.addAll(listings.aliasKinds(r, gen.index(), e.listing()));
    kinds.addAll(r.format().packageAliasKinds());
    return kinds;
  }

  /**
   * A file its root names by an alias only (apk: {@code C:Q1} and size; dnf: a sha512 or sha1
   * {@code <checksum>}): served by the alias when stored, else filled through
   * {@link FormatCheckedWriter} / {@link DigestCheckedWriter}, which store it only on a match.
   */
  private CompletableFuture<Fetched> aliased(SignedRepository r, FetchRequest request, ListedFile f, Provenance p,
      String listingPath) throws IOException {
    Alias alias = f.aliases().get(0);
    Optional<Digest> digest = storage.aliases().resolve(alias);
    if (digest.isPresent()) {
      var info = storage.blobs().stat(digest.get());
      if (info.isPresent() && info.get().size() == f.size()) {
        return CompletableFuture.completedFuture(storedListing(r, listingPath, info.get(), p));
      }
    }
    CompletableFuture<Fetched> upstream = next.fetch(request.expecting(
        new FetchRequest.Expected(null, f.size(), alias).checkedBy(r.format()::bodyCheck)));
    return filledListing(r, listingPath, null, upstream, p);
  }

  /**
   * A stored body; a listing not indexed yet starts indexing behind it (issue 14: its response
   * never waits for that), registered with the indexer before the client has the body, so a
   * package request that follows finds it indexing ({@link #whileIndexing}).
   */
  private Fetched storedListing(SignedRepository r, String listingPath, dev.reprox.storage.BlobInfo info, Provenance p)
      throws IOException {
    if (listingPath != null && !storage.paths().isIndexed(r.name(), info.digest())) {
      listings.index(r, listingPath, info.digest()); // a failure is logged; the next caller tries again
    }
    return new Annotated(new StoredFetcher.Stored(storage, info, true), p);
  }

  /**
   * A body coming from the upstream; a listing is registered with the indexer before its fill can
   * be seen by anyone and indexed once stored, behind its response: the client has the listing as
   * soon as the fill verified it against the root (the fill holds its last byte until then).
   */
  private CompletableFuture<Fetched> filledListing(SignedRepository r, String listingPath, Digest digest,
      CompletableFuture<Fetched> upstream, Provenance p) {
    if (listingPath != null) {
      listings.fillThenIndex(r, listingPath, digest, upstream);
    }
    return upstream.thenApply(fetched -> new Annotated(fetched, p));
  }

  // ---- bodies ----

  private Fetched stored(FetchRequest request, Digest digest, Provenance p) throws IOException {
    if (digest == null) {
      throw new FetchException(FetchException.Kind.NOT_FOUND, "fetch " + request + ": not stored");
    }
    return storage.blobs().stat(digest)
        .<Fetched>map(info -> new Annotated(new StoredFetcher.Stored(storage, info, true), p))
        .orElseThrow(() -> new FetchException(FetchException.Kind.NOT_FOUND, "fetch " + request + ": blob " + digest
            + " is not stored"));
  }

  /**
   * The expected blob from the store, else from the upstream (then {@code fallback}, a snapshot
   * server at T, when the upstream no longer has it) through a fill that commits only on a match.
   * {@code listingPath}: the body is a listing to index behind its response, else null.
   * {@code aliasKinds}: asked on a miss only, the alias kinds to record for the body, else null.
   */
  private CompletableFuture<Fetched> verified(SignedRepository r, FetchRequest checked, Provenance p,
      String listingPath, URI fallback, Supplier<Set<Alias.Kind>> aliasKinds) throws IOException {
    Digest digest = checked.expected().sha256();
    var info = storage.blobs().stat(digest);
    if (info.isPresent()) {
      return CompletableFuture.completedFuture(storedListing(r, listingPath, info.get(), p));
    }
    FetchRequest request = aliasKinds == null ? checked : checked.expecting(checked.expected().recording(aliasKinds.get()));
    CompletableFuture<Fetched> upstream = next.fetch(request);
    if (fallback != null) {
      upstream = upstream.exceptionallyCompose(e -> {
        FetchException f = FetchException.of(e, request);
        return f.kind() == FetchException.Kind.NOT_FOUND ? next.fetch(request.from(fallback))
            : CompletableFuture.failedFuture(f);
      });
    }
    return filledListing(r, listingPath, digest, upstream, p);
  }

  /** A path outside every trust chain at T: only what is stored under its ref (never pinned). */
  private Fetched storedRef(SignedRepository r, FetchRequest request) throws IOException {
    Optional<Ref> ref = storage.refs().get(request.repository().name(), request.path());
    if (ref.isPresent()) {
      var info = storage.blobs().stat(ref.get().digest());
      if (info.isPresent()) {
        return new StoredFetcher.Stored(storage, info.get(), true);
      }
    }
    throw new FetchException(FetchException.Kind.NOT_FOUND, "fetch " + request + ": not part of the signed "
        + "index chain, so it cannot be pinned to a time, and no copy is stored"
        + (r.verified() ? "" : " (repository " + r.name() + " has no keyring: such paths are relayed, never stored)"));
  }

  /** The listing indexer (tests order races with it). */
  /** The generation of {@code root} at {@code at} (live when empty), resolved and pinned as for a client (prewarm). */
  Generations.Gen generation(SignedRepository r, String root, Optional<java.time.Instant> at) throws IOException {
    return generations.of(r, root, at);
  }

  ListingIndexer listings() {
    return listings;
  }

  private static String notListed(FetchRequest request) {
    return request.at().isPresent() ? FetchException.NOT_IN_GENERATION : FetchException.NOT_IN_LIVE_INDEX;
  }

  static Throwable unwrap(Throwable t) {
    return FetchException.unwrap(t);
  }
}
