package dev.reprox.server.fetch;

import dev.reprox.server.trust.Located;
import dev.reprox.server.trust.Trust;
import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Ref;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The signed-repository fetch path (DESIGN.md §5.1): asks {@link Trust} what the bytes must be,
 * then moves them. A stored blob matching the expectation is served; otherwise the request goes
 * on through {@code next} (offline guard, single flight, upstream fill with
 * {@code commit(expected)}; then the snapshot server at T when the upstream no longer has it),
 * whose checking writer stores the body only on a match. A listing is registered with the indexer
 * before its fill can be seen and indexed behind its response, which never waits for the index
 * (issue 14). A package trust located while its listing is being indexed
 * ({@link Located.Basis#DEFERRED}) streams at once, its fill holding its last byte until the
 * deferred expectation came and matched. Paths outside every trust chain take the pass-through (or
 * relay), and at T only a stored copy.
 */
final class SignedFetcher implements Fetcher {

  private final Storage storage;
  private final Trust trust;
  private final Executor storageExecutor;
  private final Fetcher next;
  private final Fetcher passThrough;
  private final Fetcher relay;

  SignedFetcher(Storage storage, Trust trust, Executor storageExecutor, Fetcher next, Fetcher passThrough,
      Fetcher relay) {
    this.storage = storage;
    this.trust = trust;
    this.storageExecutor = storageExecutor;
    this.next = next;
    this.passThrough = passThrough;
    this.relay = relay;
  }

  @Override
  public CompletableFuture<Fetched> fetch(FetchRequest request) {
    return trust.locate(request, located -> {
      try {
        return serve(located);
      } catch (IOException e) {
        throw new FetchException(FetchException.Kind.STORAGE, "fetch " + request + ": " + e.getMessage(), e);
      }
    });
  }

  /** Runs where trust answered: the caller's thread for unvouched paths (so it must not block then), else work. */
  private CompletableFuture<Fetched> serve(Located located) throws IOException {
    SignedRepository r = located.repository();
    FetchRequest request = located.request();
    return switch (located.basis()) {
      case UNVOUCHED -> {
        if (request.at().isPresent()) {
          yield async(() -> storedRef(r, request));
        }
        // Without a keyring nothing vouches for the repository, so only the paths its format
        // classifies are kept; anything else is relayed and forgotten (docs/decisions.md).
        yield r.verified() ? passThrough.fetch(request) : relay.fetch(request);
      }
      case ROOT -> {
        Fetched stored = stored(request, located.sha256(), located.provenance());
        // A live root fetched from the upstream for this request is a miss (X-Reprox-Cache, request
        // metrics), though its bytes are answered from the store where the round just put them.
        yield CompletableFuture.completedFuture(located.rootFetched() ? Annotated.missed(stored) : stored);
      }
      case LISTED, EARLIER_GENERATION -> located.sha256() != null ? verified(located) : aliased(located);
      case DEFERRED -> deferred(located);
    };
  }

  /**
   * A package whose expectation is still coming (its listing is being indexed): its fill starts at
   * once and commits only once the expectation came and matched. When the upstream refuses it
   * (404, before any byte), trust locates it again once that listing is indexed, and that answer
   * is served (with its fallbacks: the snapshot server at T).
   */
  private CompletableFuture<Fetched> deferred(Located located) {
    FetchRequest request = located.request();
    Provenance p = located.provenance();
    return next.fetch(located.expecting()).<Fetched>thenApply(fetched -> new Annotated(fetched, p))
        .exceptionallyCompose(e -> {
          FetchException f = FetchException.of(FetchException.unwrap(e), request);
          if (f.kind() != FetchException.Kind.NOT_FOUND) {
            return CompletableFuture.failedFuture(f);
          }
          return located.afterIndexing().get().thenCompose(again -> {
            try {
              return serve(again);
            } catch (IOException io) {
              throw new FetchException(FetchException.Kind.STORAGE, "fetch " + request + ": " + io.getMessage(), io);
            }
          });
        });
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

  /**
   * A body its signed index names by an alias only: served by the alias when stored, else filled
   * through {@link FormatCheckedWriter} / {@link DigestCheckedWriter}, which store it only on a match.
   * A SHA-256 the request came with (a pre-warm's lockfile hash) is checked by that fill's commit
   * too: a lockfile that disagrees with the bytes the index names stores nothing.
   */
  private CompletableFuture<Fetched> aliased(Located located) throws IOException {
    Optional<Digest> digest = storage.aliases().resolve(located.alias().orElseThrow());
    if (digest.isPresent()) {
      var info = storage.blobs().stat(digest.get());
      if (info.isPresent() && info.get().size() == located.size()) {
        return CompletableFuture.completedFuture(storedListing(located, info.get()));
      }
    }
    FetchRequest request = located.expecting();
    FetchRequest.Expected promised = located.request().expected();
    if (promised != null && promised.sha256() != null) {
      request = request.expecting(request.expected().alsoSha256(promised.sha256()));
    }
    return filledListing(located, null, next.fetch(request));
  }

  /**
   * A stored body; a listing not indexed yet starts indexing behind it (issue 14: its response
   * never waits for that), registered with the indexer before the client has the body, so a
   * package request that follows finds it indexing ({@link Located.Basis#DEFERRED}).
   */
  private Fetched storedListing(Located located, BlobInfo info) throws IOException {
    SignedRepository r = located.repository();
    if (located.listing().isPresent() && !storage.paths().isIndexed(r.name(), info.digest())) {
      trust.listings().index(r, located.listing().get(), info.digest()); // a failure is logged; the next caller tries again
    }
    return new Annotated(new StoredFetcher.Stored(storage, info, true), located.provenance());
  }

  /**
   * A body coming from the upstream; a listing is registered with the indexer before its fill can
   * be seen by anyone and indexed once stored, behind its response: the client has the listing as
   * soon as the fill verified it against the root (the fill holds its last byte until then).
   */
  private CompletableFuture<Fetched> filledListing(Located located, Digest digest,
      CompletableFuture<Fetched> upstream) {
    if (located.listing().isPresent() && digest == null && located.alias().isPresent()) {
      // Named by an alias only (dnf repomd.xml by sha512 or sha1): registered under the alias.
      trust.listings().fillThenIndex(located.repository(), located.listing().get(), located.alias().get(), upstream);
    } else if (located.listing().isPresent()) {
      trust.listings().fillThenIndex(located.repository(), located.listing().get(), digest, upstream);
    }
    Provenance p = located.provenance();
    return upstream.thenApply(fetched -> new Annotated(fetched, p));
  }

  private Fetched stored(FetchRequest request, Digest digest, Provenance p) throws IOException {
    return storage.blobs().stat(digest)
        .<Fetched>map(info -> new Annotated(new StoredFetcher.Stored(storage, info, true), p))
        .orElseThrow(() -> new FetchException(FetchException.Kind.NOT_FOUND, "fetch " + request + ": blob " + digest
            + " is not stored"));
  }

  /**
   * The expected blob from the store, else from the upstream (then each fallback, a snapshot
   * server at T, when the upstream no longer has it) through a fill that commits only on a match,
   * recording the alias kinds trust names (asked on a miss only).
   */
  private CompletableFuture<Fetched> verified(Located located) throws IOException {
    Digest digest = located.sha256();
    var info = storage.blobs().stat(digest);
    if (info.isPresent()) {
      return CompletableFuture.completedFuture(storedListing(located, info.get()));
    }
    FetchRequest checked = located.expecting();
    FetchRequest request = checked.expecting(checked.expected().recording(located.aliasKinds().get()));
    CompletableFuture<Fetched> upstream = next.fetch(request);
    for (URI fallback : located.fallbacks()) {
      upstream = upstream.exceptionallyCompose(e -> {
        FetchException f = FetchException.of(e, request);
        return f.kind() == FetchException.Kind.NOT_FOUND ? next.fetch(request.from(fallback))
            : CompletableFuture.failedFuture(f);
      });
    }
    return filledListing(located, digest, upstream);
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
}
