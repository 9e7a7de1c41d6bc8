package dev.reprox.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * One verified fetch of a root index (DESIGN.md §3).
 *
 * @param repo repository name from the configuration
 * @param root root index path inside the repository, e.g. {@code dists/bookworm/InRelease}
 * @param digest SHA-256 of the root index bytes as fetched
 * @param publishedAt publication time read from the signed bytes
 * @param publishedEstimated true when the signed bytes carry no plausible time and
 *     {@code publishedAt} is the fetch time instead (apk indexes with 1970 mtimes)
 * @param fetchedAt when reprox fetched it (from the injected clock), or the T a snapshot server
 *     answered for
 * @param signer fingerprint of the key that verified it, or empty when the repository has no
 *     keyring
 * @param source where the bytes came from
 */
public record Observation(
    String repo,
    String root,
    Digest digest,
    Instant publishedAt,
    boolean publishedEstimated,
    Instant fetchedAt,
    String signer,
    Source source) {

  public enum Source { LIVE, SNAPSHOT_SERVER, IMPORT }

  public Observation {
    Objects.requireNonNull(repo, "repo");
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(publishedAt, "publishedAt");
    Objects.requireNonNull(fetchedAt, "fetchedAt");
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(source, "source");
  }
}
