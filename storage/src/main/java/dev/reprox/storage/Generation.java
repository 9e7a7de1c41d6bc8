package dev.reprox.storage;

import java.time.Instant;

/**
 * A distinct root-index digest of one (repo, root), with everything its observations say:
 * first and last fetch (the last one decides whether a T is proven), signer and source of the
 * first observation.
 */
public record Generation(
    String repo,
    String root,
    Digest digest,
    Instant publishedAt,
    boolean publishedEstimated,
    Instant firstFetchedAt,
    Instant lastFetchedAt,
    String signer,
    Observation.Source source) {

  /** True when an observation shows this generation still current at or after {@code t}. */
  public boolean provenAt(Instant t) {
    return !lastFetchedAt.isBefore(t);
  }
}
