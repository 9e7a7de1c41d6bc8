package dev.reprox.storage;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One answer a labelled build was served: what {@code reprox lock --label} turns into a lockfile
 * and what garbage collection must keep while the record lives. The key is (label, repo, at,
 * path): a path asked twice at one T keeps the latest answer (it can only differ for a live
 * request).
 *
 * @param at the T asked for, empty for a live request
 * @param root the root index whose generation vouched for the body (empty for pass-through)
 * @param generation that root's generation digest (empty for pass-through)
 * @param publishedAt the generation's publication time (empty for pass-through)
 * @param sha256 the body served
 * @param pin the {@code X-Reprox-Pin} status of the answer ({@code proven}, {@code unproven},
 *     {@code first-use}, {@code live}), empty when none applied
 * @param isPackage a package file (not an index): what a lockfile lists
 * @param servedAt when it was (last) served, by the injected clock
 */
public record BuildEntry(String label, String repo, Optional<Instant> at, String path, Optional<String> root,
    Optional<Digest> generation, Optional<Instant> publishedAt, Digest sha256, long size, Optional<String> pin,
    boolean isPackage, Instant servedAt) {
  public BuildEntry {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(repo, "repo");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(generation, "generation");
    Objects.requireNonNull(publishedAt, "publishedAt");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(pin, "pin");
    Objects.requireNonNull(servedAt, "servedAt");
    if (size < 0) {
      throw new IllegalArgumentException("negative size: " + size);
    }
  }

  /** Same answer, ignoring when it was served: a repeat that needs no write. */
  public boolean sameAnswer(BuildEntry o) {
    return sha256.equals(o.sha256) && size == o.size && root.equals(o.root) && generation.equals(o.generation)
        && publishedAt.equals(o.publishedAt) && pin.equals(o.pin) && isPackage == o.isPackage;
  }
}
