package dev.reprox.server.fetch;

import dev.reprox.storage.Digest;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a signed-repository response stands in the trust chain, for its headers: the generation
 * (root digest) it belongs to, that root's publication time, the pin status, and whether the
 * response may be cached forever (content-addressed, package, or pinned at T).
 *
 * @param pin {@code live}, {@code proven}, {@code unproven} or {@code first-use}; empty for
 *     pass-through responses
 * @param root true for a root index itself (its Last-Modified is the publication time)
 * @param pinnedRoot {@code <repo>/<root>} whose pin at T decided this answer; empty when not at T
 */
public record Provenance(Optional<Digest> generation, Optional<Instant> publishedAt, Optional<String> pin,
    boolean immutable, boolean root, Optional<String> pinnedRoot) {

  public Provenance(Optional<Digest> generation, Optional<Instant> publishedAt, Optional<String> pin,
      boolean immutable, boolean root) {
    this(generation, publishedAt, pin, immutable, root, Optional.empty());
  }

  /** A pass-through response: nothing known about its place in a trust chain. */
  public static final Provenance NONE = new Provenance(Optional.empty(), Optional.empty(), Optional.empty(), false,
      false);

  public Provenance asRoot() {
    return new Provenance(generation, publishedAt, pin, immutable, true, pinnedRoot);
  }

  public Provenance forever() {
    return new Provenance(generation, publishedAt, pin, true, root, pinnedRoot);
  }
}
