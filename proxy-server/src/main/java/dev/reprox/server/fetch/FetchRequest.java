package dev.reprox.server.fetch;

import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.Digest;
import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

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

  /** The content a verified index promises: a mismatch cancels the fill. */
  public record Expected(Digest sha256, long size) {
    public Expected {
      Objects.requireNonNull(sha256, "sha256");
    }
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
  FetchRequest expecting(Expected e) {
    return new FetchRequest(repository, path, at, e, base);
  }

  /** This request, fetched from {@code newBase} instead of the upstream. */
  FetchRequest from(URI newBase) {
    return new FetchRequest(repository, path, at, expected, newBase);
  }

  /** The key single flight coalesces on: one fill per path and expected content and source. */
  String key() {
    return repository.name() + '/' + path + (expected == null ? "" : "#" + expected.sha256().hex())
        + (base == null ? "" : "@" + base);
  }

  @Override
  public String toString() {
    return repository.name() + (at.isPresent() ? "/@" + at.get() : "") + '/' + path;
  }
}
