package dev.reprox.server.fetch;

import dev.reprox.config.RepositoryConfig;
import dev.reprox.pinning.BodyCheck;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import java.net.URI;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One path of one configured repository, as mirror mode parses it from {@code /<repo>/[@<T>/]<path>}
 * (forward mode will produce the same value from absolute-form URLs).
 *
 * @param repository the repository the first URL segment named
 * @param path the decoded, validated path below it (no leading slash, no dot segments)
 * @param at the T of {@code @<T>}, empty for live
 * @param expected what the body must be (from a verified index), or null when nothing is known
 * @param base another base URL to fetch from (a snapshot server at T), or null for the upstream
 */
public record FetchRequest(RepositoryConfig repository, String path, Optional<Instant> at, Expected expected,
    URI base) {

  /**
   * The content a verified index promises: a mismatch cancels the fill. {@code alias} is set (and
   * {@code sha256} null) when the index names the body by another hash only (apk's Q1, dnf's sha512),
   * checked by {@link FormatCheckedWriter} with the format's {@code checks} when it has its own
   * (apk: {@link dev.reprox.pinning.Format#bodyCheck}), else as a digest of the whole body; with
   * both set ({@link #alsoSha256}: a lockfile's SHA-256), the body must match both.
   * {@code aliasKinds}: other hashes to compute while the body streams and record as aliases once
   * its SHA-256 check passed ({@link AliasRecordingWriter}).
   */
  public record Expected(Digest sha256, long size, Alias alias, Set<Alias.Kind> aliasKinds, Checks checks,
      Later later) {
    public Expected {
      if (sha256 == null && alias == null && later == null) {
        throw new NullPointerException("sha256, alias or later");
      }
      aliasKinds = aliasKinds.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(aliasKinds));
      checks = checks == null ? Checks.NONE : checks;
    }

    public Expected(Digest sha256, long size, Alias alias, Set<Alias.Kind> aliasKinds, Checks checks) {
      this(sha256, size, alias, aliasKinds, checks, null);
    }

    public Expected(Digest sha256, long size, Alias alias) {
      this(sha256, size, alias, Set.of(), Checks.NONE);
    }

    /**
     * Deferred: what the body must be is not known when its fill starts (its listing is still
     * being fetched or indexed, issue 14) and comes from {@code later}; the fill streams at once,
     * holds its last byte, and commits only once {@code later} named a SHA-256 and size that
     * match. {@code aliasKinds}: as for a known SHA-256.
     */
    public static Expected deferred(Later later, Set<Alias.Kind> aliasKinds) {
      return new Expected(null, -1, null, aliasKinds, Checks.NONE, later);
    }

    public Expected(Digest sha256, long size) {
      this(Objects.requireNonNull(sha256, "sha256"), size, null);
    }

    /** This expectation, also recording the {@code kinds} of alias once the body is checked. */
    public Expected recording(Set<Alias.Kind> kinds) {
      return new Expected(sha256, size, alias, kinds, checks);
    }

    /**
     * This alias-named expectation, its body also checked against a SHA-256 the caller was given
     * (a lockfile's, issue 11): the commit stores it only when both match.
     */
    public Expected alsoSha256(Digest lockSha256) {
      return new Expected(Objects.requireNonNull(lockSha256, "lockSha256"), size, alias, aliasKinds, checks);
    }

    /** This expectation, its alias checked by {@code formatChecks} where the format has a check of its own. */
    public Expected checkedBy(Checks formatChecks) {
      return new Expected(sha256, size, alias, aliasKinds, formatChecks);
    }

    String key() {
      return sha256 != null ? sha256.hex() : alias != null ? alias.toString() : "later@" + later.generation();
    }
  }

  /**
   * The expectation of a deferred fill: {@code expected} completes with the SHA-256 and size a
   * verified listing of {@code generation} names (or fails: nothing names it, the fill is cut).
   * {@code generation} keys single flight, so requests for one path and generation share a fill.
   */
  public record Later(String generation, java.util.concurrent.CompletableFuture<Expected> expected) {
    public Later {
      Objects.requireNonNull(generation, "generation");
      Objects.requireNonNull(expected, "expected");
    }
  }

  /** A format's own body checks ({@link dev.reprox.pinning.Format#bodyCheck}). */
  @FunctionalInterface
  public interface Checks {
    Checks NONE = (alias, what) -> Optional.empty();

    Optional<BodyCheck> start(Alias expected, String what);
  }

  public FetchRequest {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(at, "at");
  }

  /** A live request without expectations. */
  public FetchRequest(RepositoryConfig repository, String path) {
    this(repository, path, Optional.empty(), null, null);
  }

  /** This request, checked against {@code e}. */
  public FetchRequest expecting(Expected e) {
    return new FetchRequest(repository, path, at, e, base);
  }

  /** This request, fetched from {@code newBase} instead of the upstream. */
  public FetchRequest from(URI newBase) {
    return new FetchRequest(repository, path, at, expected, newBase);
  }

  /** The key single flight coalesces on: one fill per path and expected content and source. */
  String key() {
    return repository.name() + '/' + path + (expected == null ? "" : "#" + expected.key())
        + (base == null ? "" : "@" + base);
  }

  @Override
  public String toString() {
    return repository.name() + (at.isPresent() ? "/@" + at.get() : "") + '/' + path;
  }
}
