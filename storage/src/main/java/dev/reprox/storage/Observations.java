package dev.reprox.storage;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Root-index observations, folded into generations, ordered by publication time. */
public interface Observations {
  /**
   * Records an observation: creates the generation on first sight of its digest, else widens its
   * first/last fetch times. Returns the generation as it now stands.
   */
  Generation record(Observation observation) throws IOException;

  /** The generation with the greatest publishedAt ≤ {@code t}: one seek. */
  Optional<Generation> floor(String repo, String root, Instant t) throws IOException;

  /** The generation with the least publishedAt > {@code t}, for "first-use" answers. */
  Optional<Generation> ceilingAfter(String repo, String root, Instant t) throws IOException;

  Optional<Generation> byDigest(String repo, String root, Digest digest) throws IOException;

  /** Every generation of (repo, root), oldest publishedAt first. */
  List<Generation> generations(String repo, String root) throws IOException;

  /** Every root path of {@code repo} that has at least one generation. */
  List<String> roots(String repo) throws IOException;

  /** Every repository that has at least one generation, sorted; for {@code reprox gc}. */
  List<String> repos() throws IOException;

  /**
   * Forgets the generation {@code digest} of (repo, root) with every observation folded into it;
   * for {@code reprox gc}, which never calls it for a generation a pin names. Returns false when
   * there was none.
   */
  boolean delete(String repo, String root, Digest digest) throws IOException;
}
