package dev.reprox.server.trust;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.RootIndex;
import dev.reprox.server.fetch.FetchException;
import dev.reprox.server.fetch.FetchRequest;
import dev.reprox.server.fetch.Provenance;
import dev.reprox.server.fetch.SignedRepository;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import dev.reprox.storage.PathEntry;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Where a package path's expectation comes from, in passes (DESIGN.md §5.1): the indexed listings
 * of the generation of each root that could name it; while a listing of that generation is being
 * filled or indexed, that listing, never an earlier generation meanwhile ({@link DeferredPackages}:
 * the package is located at once with a deferred expectation); for a live request, an earlier
 * generation whose listing names it ({@link PreviousGenerations}); stored listings not indexed yet
 * ({@link ListingIndexer#settle}); and last the listings the root says could name it, fetched,
 * verified and indexed ({@link GenerationListings}), the likeliest root first. Only then is the
 * answer NOT_FOUND. Runs on the work executor; waits are asynchronous.
 *
 * <p>Over 250 lines because the passes share the generation, the chosen-entry cache and the
 * retry after indexing settles; each pass's own work already lives in the classes named above.
 */
final class PackageLocator {
  private final Storage storage;
  private final Roots roots;
  private final Generations generations;
  private final ListingIndexer listings;
  private final GenerationListings generationListings;
  private final PreviousGenerations previous;
  private final DeferredPackages deferred;
  private final Executor work;
  /**
   * What a generation's listings say of a package path: immutable once found (a listing digest's
   * entries never change), so hot packages skip the path index scan (docs/performance.md).
   */
  private final Cache<ChosenKey, PathEntry> chosenByGeneration = Caffeine.newBuilder().maximumSize(10_000).build();

  private record ChosenKey(String repo, Digest generation, String path) {}

  PackageLocator(Storage storage, Roots roots, Generations generations, ListingIndexer listings,
      GenerationListings generationListings, PreviousGenerations previous, Executor work) {
    this.storage = storage;
    this.roots = roots;
    this.generations = generations;
    this.listings = listings;
    this.generationListings = generationListings;
    this.previous = previous;
    this.deferred = new DeferredPackages(storage, listings, previous, generationListings, work);
    this.work = work;
  }

  CompletableFuture<Located> locate(SignedRepository r, FetchRequest request) throws IOException {
    List<String> known = generations.knownRoots(r, request, null);
    Optional<String> naming = r.format().rootNaming(request.path());
    if (naming.isPresent() && !known.contains(naming.get()) && !roots.offline(r)) {
      // apk: the APKINDEX beside the package names it; resolving its generation fetches it.
      known = new ArrayList<>(known);
      known.add(naming.get());
    }
    return indexed(r, request, known, 0);
  }

  /**
   * The package as the generation of {@code roots[i]} (else of a later root) names it. When no
   * indexed listing of that generation names it while one of its listings is being filled or
   * indexed, that listing decides ({@link #whileIndexing}: a deferred expectation, never an
   * earlier generation meanwhile). Otherwise a live request takes it as the newest of the root's
   * earlier generations whose indexed listing names it ({@link PreviousGenerations}: the live root
   * may have moved past the Packages the client installs from); failing that, and always at T,
   * stored un-indexed listings are indexed ({@link ListingIndexer#settle}) and the path index
   * asked again, so a package requested right after its listing is never a 404.
   */
  private CompletableFuture<Located> indexed(SignedRepository r, FetchRequest request, List<String> roots, int i)
      throws IOException {
    if (i >= roots.size()) {
      return fetched(r, request, ranked(r, request, roots), 0, null);
    }
    Generations.Gen gen = generations.of(r, roots.get(i), request.at());
    Optional<ListedFile> named = gen.index().lookup(request.path());
    if (named.isPresent() && named.get().sha256() == null) {
      return CompletableFuture.completedFuture(aliased(r, request, named.get(), gen.provenance().forever(),
          Optional.empty()));
    }
    ChosenKey key = new ChosenKey(r.name(), gen.index().digest(), request.path());
    PathEntry cached = chosenByGeneration.getIfPresent(key);
    if (cached != null) {
      return chosen(r, request, gen, key, cached, Located.Basis.LISTED);
    }
    List<PathEntry> candidates = storage.paths().lookup(r.name(), request.path());
    Optional<PathEntry> chosen = gen.index().choose(candidates, storage.aliases());
    if (chosen.isPresent()) {
      return chosen(r, request, gen, key, chosen.get(), Located.Basis.LISTED);
    }
    Set<Digest> indexing = listings.indexing(r, gen.index());
    if (!indexing.isEmpty()) {
      return whileIndexing(r, request, roots, i, gen, indexing, candidates);
    }
    if (listings.aliasListingPending(r, gen.index())) {
      // A listing named by an alias only is on its way: its SHA-256 is not known to defer on, so
      // the lookup waits for it, and never asks an earlier generation meanwhile.
      return afterSettle(r, request, roots, i, gen);
    }
    if (request.at().isEmpty()) {
      Optional<PreviousGenerations.Found> earlier = previous.newestNaming(r, gen.root(), gen.index(), candidates);
      if (earlier.isPresent()) {
        RootIndex index = earlier.get().index();
        Generations.Gen older = new Generations.Gen(gen.root(), index, null, Generations.liveProvenance(index));
        ChosenKey olderKey = new ChosenKey(r.name(), index.digest(), request.path());
        return chosen(r, request, older, olderKey, earlier.get().entry(), Located.Basis.EARLIER_GENERATION);
      }
    }
    return listings.settle(r, gen.index()).exceptionally(e -> {
      throw new FetchException(FetchException.Kind.STORAGE, "fetch " + request + ": indexing a listing of generation "
          + gen.index().digest() + " failed: " + FetchException.unwrap(e).getMessage(), FetchException.unwrap(e));
    }).thenComposeAsync(settled -> {
      try {
        // Look again whatever settle waited for: a listing may have been indexed by its fill
        // between the first lookup and settle, and then nothing was left to wait for.
        Optional<PathEntry> again = gen.index().choose(storage.paths().lookup(r.name(), request.path()),
            storage.aliases());
        return again.isPresent() ? chosen(r, request, gen, key, again.get(), Located.Basis.LISTED)
            : indexed(r, request, roots, i + 1);
      } catch (IOException e) {
        throw new FetchException(FetchException.Kind.STORAGE, "fetch " + request + ": " + e.getMessage(), e);
      }
    }, work);
  }

  /**
   * A listing of the generation is being filled or indexed: an earlier generation must not answer
   * meanwhile (the client may hold that listing already, its response does not wait for the
   * index), so the package is located at once with its expectation deferred to the generation's
   * listings ({@link DeferredPackages}). Offline, or when an earlier listing's blob for the path is
   * stored (the likely answer, not worth a download), the lookup waits for those listings instead
   * and starts over; the byte chain does the same when the upstream refuses the deferred fill
   * ({@link Located#afterIndexing}).
   */
  private CompletableFuture<Located> whileIndexing(SignedRepository r, FetchRequest request, List<String> roots,
      int i, Generations.Gen gen, Set<Digest> indexing, List<PathEntry> candidates) throws IOException {
    if (this.roots.offline(r) || anyStored(candidates)) {
      return afterSettle(r, request, roots, i, gen);
    }
    return CompletableFuture.completedFuture(
        deferred.locate(r, request, gen, indexing, () -> afterSettle(r, request, roots, i, gen)));
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
  private CompletableFuture<Located> afterSettle(SignedRepository r, FetchRequest request, List<String> roots, int i,
      Generations.Gen gen) {
    return listings.settle(r, gen.index()).handleAsync((v, error) -> {
      try {
        return indexed(r, request, roots, i);
      } catch (IOException e) {
        throw new FetchException(FetchException.Kind.STORAGE, "fetch " + request + ": " + e.getMessage(), e);
      }
    }, work).thenCompose(x -> x);
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
    Map<String, Long> weight = new HashMap<>();
    for (String root : roots) {
      try {
        weight.put(root, r.format().namingWeight(generations.of(r, root, request.at()).index(), request.path()));
      } catch (FetchException e) {
        weight.put(root, 0L);
      }
    }
    List<String> out = new ArrayList<>(roots);
    out.sort(Comparator.comparing(weight::get, Comparator.reverseOrder()));
    return out;
  }

  /**
   * The second pass over {@code roots} once no indexed listing of any of their generations names
   * the path: each generation's listings that could name it are fetched and indexed
   * ({@link GenerationListings}), the likeliest root first. Offline nothing can be fetched, and
   * the answer stays the 404 of the first pass. {@code failed}: the first listing that could not
   * be had, answered instead of a 404 when no other names the path.
   */
  private CompletableFuture<Located> fetched(SignedRepository r, FetchRequest request, List<String> roots, int i,
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
              FetchException f = FetchException.of(FetchException.unwrap(error), request);
              return fetched(r, request, roots, i + 1, failed == null ? f : failed);
            }
            return found.isPresent() ? chosen(r, request, gen, key, found.get(), Located.Basis.LISTED)
                : fetched(r, request, roots, i + 1, failed);
          } catch (IOException e) {
            throw new FetchException(FetchException.Kind.STORAGE, "fetch " + request + ": " + e.getMessage(), e);
          }
        }, work).thenCompose(f -> f);
  }

  private CompletableFuture<Located> chosen(SignedRepository r, FetchRequest request, Generations.Gen gen,
      ChosenKey key, PathEntry e, Located.Basis basis) {
    if (e.expected().sha256() == null) { // rpm pkgid sha1 or sha512
      return CompletableFuture.completedFuture(aliased(r, request,
          new ListedFile(e.path(), e.size(), null, List.of(e.expected().alias())), gen.provenance().forever(),
          Optional.empty()));
    }
    chosenByGeneration.put(key, e);
    FetchRequest.Expected expected = new FetchRequest.Expected(e.expected().sha256(), e.size());
    List<URI> fallbacks = request.at().flatMap(r::snapshotBase).map(List::of).orElse(List.of());
    return CompletableFuture.completedFuture(new Located(r, request, basis, expected, gen.provenance().forever(),
        Optional.empty(), fallbacks, false, () -> aliasKinds(r)));
  }

  /**
   * The hashes a package fill records as aliases once its SHA-256 check passed: only those a
   * request can address it by. That is the format's {@link
   * dev.reprox.pinning.Format#packageAliasKinds} (apt's SHA-1) when the repository has a snapshot
   * server, whose {@code /file/<sha1>} forward mode answers by alias; nothing else reads them. The
   * other hashes a listing names beside the SHA-256 (apt's MD5sum, SHA1, SHA512) are not computed:
   * no client asks for a package by them, and a listing naming the same bytes by one of them only
   * records that alias through its own checked fill. Each kind costs a hash of every byte
   * (issue 11: MD5 and SHA-1 were a third of a pre-warm's storage thread).
   */
  static Set<Alias.Kind> aliasKinds(SignedRepository r) {
    return r.config().snapshot().isPresent() ? r.format().packageAliasKinds() : Set.of();
  }

  /**
   * A file its root or listing names by an alias only (apk: {@code C:Q1} and size; dnf: a sha512
   * or sha1 {@code <checksum>}), checked by the format's own body check where it has one.
   */
  static Located aliased(SignedRepository r, FetchRequest request, ListedFile f, Provenance p,
      Optional<String> listing) {
    FetchRequest.Expected expected = new FetchRequest.Expected(null, f.size(), f.aliases().get(0))
        .checkedBy(r.format()::bodyCheck);
    return new Located(r, request, Located.Basis.LISTED, expected, p, listing, List.of(), false, null);
  }

  static String notListed(FetchRequest request) {
    return request.at().isPresent() ? FetchException.NOT_IN_GENERATION : FetchException.NOT_IN_LIVE_INDEX;
  }
}
