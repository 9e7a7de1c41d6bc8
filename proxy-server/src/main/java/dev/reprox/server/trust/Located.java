package dev.reprox.server.trust;

import dev.reprox.server.fetch.FetchRequest;
import dev.reprox.server.fetch.Provenance;
import dev.reprox.server.fetch.SignedRepository;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@link Trust#locate}'s answer: what the bytes of one request must be, why, and where else they
 * may come from. The byte chain serves a stored blob that matches {@link #expected}, else fills it
 * through a writer that commits only on a match; it decides nothing about trust itself.
 *
 * @param repository the request's repository, with its format bound to its keyring
 * @param request the request as asked (without the expectation)
 * @param basis what vouches for the bytes
 * @param expected the SHA-256 and size (or, when the signed index names the body by another hash
 *     only, the alias, size and the format's body check; for {@link Basis#DEFERRED}, the
 *     {@link FetchRequest.Later} they come from); null for {@link Basis#UNVOUCHED}
 * @param provenance the generation, its publication time and the pin status, for the headers
 * @param listing the listing's path when the body is a listing to index (behind its response,
 *     which never waits for the index), else empty
 * @param fallbacks bases to fetch from, in order, when the upstream answers 404 (a snapshot server
 *     at T)
 * @param rootFetched true when the root was fetched from its upstream for this request (a miss)
 * @param aliasKinds asked on a miss only: the other hashes to record as aliases once the body's
 *     SHA-256 passed (those its listing names, and those its format always records); may block
 * @param afterIndexing {@link Basis#DEFERRED} only, else null: the answer located again once the
 *     generation's listings being indexed are committed, for when the upstream refuses the
 *     deferred fill before its first byte
 */
public record Located(SignedRepository repository, FetchRequest request, Basis basis, FetchRequest.Expected expected,
    Provenance provenance, Optional<String> listing, List<URI> fallbacks, boolean rootFetched,
    Supplier<Set<Alias.Kind>> aliasKinds, Supplier<CompletableFuture<Located>> afterIndexing) {

  /** What vouches for a located path. */
  public enum Basis {
    /** A path outside every trust chain: passed through live, at T only a stored copy. */
    UNVOUCHED,
    /** A root index or its detached signature: trust fetched, verified and stored it itself. */
    ROOT,
    /** The generation answering the request names it (its root, or an indexed listing of it). */
    LISTED,
    /** Live only: an earlier generation of the root names it, the current one does not yet. */
    EARLIER_GENERATION,
    /**
     * A listing of the generation is being filled or indexed and no indexed one names the path
     * yet (issue 14): that listing decides, never an earlier generation meanwhile. The body
     * streams at once; its expectation comes later ({@link FetchRequest.Later}) and the fill
     * holds its last byte until it has come and matched.
     */
    DEFERRED
  }

  public Located {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(basis, "basis");
    if (expected == null && basis != Basis.UNVOUCHED) {
      throw new NullPointerException("expected");
    }
    if ((basis == Basis.DEFERRED) != (afterIndexing != null)) {
      throw new IllegalArgumentException("afterIndexing is for DEFERRED only, and DEFERRED needs it");
    }
    fallbacks = List.copyOf(fallbacks);
    aliasKinds = aliasKinds == null ? Set::of : aliasKinds;
  }

  /** A located path whose expectation is known now (every basis but {@link Basis#DEFERRED}). */
  public Located(SignedRepository repository, FetchRequest request, Basis basis, FetchRequest.Expected expected,
      Provenance provenance, Optional<String> listing, List<URI> fallbacks, boolean rootFetched,
      Supplier<Set<Alias.Kind>> aliasKinds) {
    this(repository, request, basis, expected, provenance, listing, fallbacks, rootFetched, aliasKinds, null);
  }

  static Located unvouched(SignedRepository r, FetchRequest request) {
    return new Located(r, request, Basis.UNVOUCHED, null, Provenance.NONE, Optional.empty(), List.of(), false, null);
  }

  static Located root(SignedRepository r, FetchRequest request, Digest digest, Provenance p, boolean fetched) {
    return new Located(r, request, Basis.ROOT, new FetchRequest.Expected(digest, -1), p, Optional.empty(), List.of(),
        fetched, null);
  }

  /**
   * The SHA-256 the bytes must have; null when the signed index names them by an alias only, or
   * when it is not known yet ({@link Basis#DEFERRED}).
   */
  public Digest sha256() {
    return expected == null ? null : expected.sha256();
  }

  /** The size the bytes must have; -1 when unknown (a root: the stored blob is the one verified). */
  public long size() {
    return expected == null ? -1 : expected.size();
  }

  /** The alias the signed index names the bytes by when it gives no SHA-256, else empty. */
  public Optional<Alias> alias() {
    return expected == null ? Optional.empty() : Optional.ofNullable(expected.alias());
  }

  /** The request carrying the expectation, for the byte chain. */
  public FetchRequest expecting() {
    return request.expecting(expected);
  }
}
