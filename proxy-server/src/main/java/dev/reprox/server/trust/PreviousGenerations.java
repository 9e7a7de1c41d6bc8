package dev.reprox.server.trust;

import static dev.reprox.server.LogSafe.escape;

import dev.reprox.pinning.RootIndex;
import dev.reprox.server.fetch.SignedRepository;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Generation;
import dev.reprox.storage.PathEntry;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For a LIVE package request whose current generation has no indexed listing naming it yet: the
 * newest of the root's earlier generations whose indexed listing does. The live root moves when
 * anyone revalidates it, but a client installs what its own (older, signed) Packages named; until
 * someone fetches the new generation's listings through reprox, only an earlier generation's
 * listing can say what the pool path must be. The bytes are still checked against that listing's
 * SHA-256 and size, so nothing unverified is served (docs/decisions.md). Pinned requests never come
 * here: at T only the generation at T decides.
 */
public final class PreviousGenerations {
  private static final Logger log = LoggerFactory.getLogger(PreviousGenerations.class);

  /** How many earlier generations are consulted: a package named only longer ago than this is a 404. */
  static final int BOUND = 8;

  /** An earlier generation and the entry of one of its listings that names the path. */
  public record Found(RootIndex index, PathEntry entry) {}

  private final Storage storage;
  private final Roots roots;

  public PreviousGenerations(Storage storage, Roots roots) {
    this.storage = storage;
    this.roots = roots;
  }

  /**
   * Newest publishedAt first, at most {@link #BOUND} generations of {@code root} published no later
   * than {@code current} (one floor seek each), skipping {@code current} itself. Blocking: storage
   * reads, and a generation's root is re-verified when it is not cached. {@code candidates}: the
   * path index's entries for the path; none means no listing names it at all, and nothing is read.
   */
  public Optional<Found> newestNaming(SignedRepository r, String root, RootIndex current, List<PathEntry> candidates)
      throws IOException {
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    Optional<Generation> g = storage.observations().floor(r.name(), root, current.publishedAt());
    for (int seen = 0; g.isPresent() && seen < BOUND; g = earlier(r, root, g.get())) {
      Digest digest = g.get().digest();
      if (digest.equals(current.digest())) {
        continue;
      }
      seen++;
      RootIndex index;
      try {
        index = roots.loadBlocking(r, root, digest);
      } catch (IOException | RuntimeException e) {
        // A generation whose bytes are gone or no longer verify cannot vouch for anything.
        log.debug("earlier generation {}/{} {} skipped: {}", r.name(), escape(root), digest, escape(e));
        continue;
      }
      Optional<PathEntry> named = index.choose(candidates, storage.aliases());
      if (named.isPresent()) {
        return Optional.of(new Found(index, named.get()));
      }
    }
    return Optional.empty();
  }

  private Optional<Generation> earlier(SignedRepository r, String root, Generation g) throws IOException {
    return storage.observations().floor(r.name(), root, g.publishedAt().minusNanos(1));
  }
}
