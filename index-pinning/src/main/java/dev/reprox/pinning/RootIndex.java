package dev.reprox.pinning;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Aliases;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Observation;
import dev.reprox.storage.PathEntry;
import java.io.IOException;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A verified (or, for a repository without a keyring, merely parsed) root index.
 *
 * @param path the root's repository path, e.g. {@code dists/bookworm/InRelease}
 * @param digest SHA-256 of the bytes as served: the generation's identity
 * @param contentDigest SHA-256 of the signed payload; equal for the shapes of one generation
 *     (see {@link RootGroup})
 * @param publishedAt publication time from the signed bytes
 * @param publishedEstimated true when the bytes carry no usable time and {@code publishedAt} is
 *     an estimate (apk indexes with 1970 mtimes)
 * @param verified false when the repository has no keyring and nothing was checked
 * @param signers primary-key fingerprints (upper-case hex) of every verifying signer, first one
 *     is recorded as the observation's signer; empty when not verified
 * @param validUntil the root's own expiry claim, if any (apt's Valid-Until; reprox replays old
 *     roots, so it is informational)
 * @param files every file the root lists, keyed by full repository path
 * @param byHash the root says its listed files are also served under {@code by-hash/SHA256/<h>}
 *     beside them (apt's {@code Acquire-By-Hash: yes}): the address that cannot change under a
 *     fetch while the mirror publishes the next generation
 */
public record RootIndex(String path, Digest digest, Digest contentDigest, Instant publishedAt,
    boolean publishedEstimated, boolean verified, List<String> signers, Optional<Instant> validUntil,
    Map<String, ListedFile> files, boolean byHash) {

  /** A root that offers no by-hash addresses. */
  public RootIndex(String path, Digest digest, Digest contentDigest, Instant publishedAt, boolean publishedEstimated,
      boolean verified, List<String> signers, Optional<Instant> validUntil, Map<String, ListedFile> files) {
    this(path, digest, contentDigest, publishedAt, publishedEstimated, verified, signers, validUntil, files, false);
  }

  public RootIndex {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(contentDigest, "contentDigest");
    Objects.requireNonNull(publishedAt, "publishedAt");
    signers = List.copyOf(signers);
    files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
    if (verified && signers.isEmpty()) {
      throw new IllegalArgumentException("a verified root index needs a signer: " + path);
    }
  }

  /** What the root says the file at {@code path} must be, if it lists it. */
  public Optional<ListedFile> lookup(String path) {
    return Optional.ofNullable(files.get(path));
  }

  /**
   * The listed file with content {@code sha256}: what a {@code by-hash/SHA256/<h>} request really
   * is (a Packages.xz, a Translation…), so the proxy knows whether to parse it as a listing.
   */
  public Optional<ListedFile> byContent(Digest sha256) {
    return files.values().stream().filter(f -> sha256.equals(f.sha256())).findFirst();
  }

  /**
   * Of the entries a {@link dev.reprox.storage.PathIndex} holds for one package path (several when
   * a repository re-uploaded it), the one named by a listing that this root lists: the generation
   * decides which bytes a pool path means. Empty when none of the listings belongs to this root
   * (the proxy then fetches and indexes this generation's listing first). A listing the root names
   * by a whole-file alias only (dnf's repomd.xml {@code <checksum type="sha512">} or {@code "sha1"})
   * is known by the SHA-256 {@code store} maps that alias to, which only a fill that checked the
   * body against it records (or an import that checked it again); those are looked up only when
   * no SHA-256-named listing answers.
   */
  public Optional<PathEntry> choose(List<PathEntry> candidates, Aliases store) throws IOException {
    for (PathEntry e : candidates) {
      if (byContent(e.listing()).isPresent()) {
        return Optional.of(e);
      }
    }
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    Set<Digest> byAlias = new HashSet<>();
    for (ListedFile f : files.values()) {
      // apk's Q1 hashes a package's control member, never a whole listing: no lookup for each.
      if (f.sha256() == null && f.aliases().get(0).kind() != Alias.Kind.APK_Q1) {
        f.knownSha256(store).ifPresent(byAlias::add);
      }
    }
    for (PathEntry e : candidates) {
      if (byAlias.contains(e.listing())) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /** The first signer's fingerprint, or empty for an unverified root. */
  public String signer() {
    return signers.isEmpty() ? "" : signers.get(0);
  }

  /**
   * This index with an estimated publication time replaced by {@code estimate} (the one stored
   * with its generation); an index whose bytes carry their time is returned unchanged.
   */
  public RootIndex withEstimate(Instant estimate) {
    if (!publishedEstimated || publishedAt.equals(estimate)) {
      return this;
    }
    return new RootIndex(path, digest, contentDigest, estimate, true, verified, signers, validUntil, files, byHash);
  }

  /** The observation to record for this root in {@code repo}, fetched at {@code fetchedAt}. */
  public Observation observation(String repo, Instant fetchedAt, Observation.Source source) {
    return new Observation(repo, path, digest, publishedAt, publishedEstimated, fetchedAt, signer(), source);
  }
}
