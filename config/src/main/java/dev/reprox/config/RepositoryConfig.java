package dev.reprox.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One repository ({@code repositories.<name>}).
 *
 * @param name the key under {@code repositories:}; also the first path segment of mirror URLs
 * @param format apt, apk or dnf
 * @param upstream base URL of the live mirror (http or https), without a trailing slash
 * @param snapshot base URL of the snapshot server, with a trailing slash, if any
 * @param keyring where the signing keys come from ({@link Keyring.None} when not given)
 * @param pinning what to answer when a T cannot be proven
 * @param rootTtl how long a live root index is served before it is revalidated
 * @param offline never contact this repository's upstreams (also true when the global {@code offline:} is)
 * @param repoGpgcheck dnf only ({@code repo-gpgcheck}, default true): with a keyring, a repomd.xml
 *     without a verifying {@code repomd.xml.asc} is refused; false accepts an unsigned one as
 *     unverified (Fedora publishes none and signs only its rpms), a present signature must still verify
 * @param negativeTtl how long an upstream 404/410 for a path is remembered ({@code negative-ttl}):
 *     repeated requests for a missing path meanwhile get the 404 without asking the upstream again
 * @param upstreamCredentials the {@code user:password@} given in the upstream URL (which is kept
 *     without it): sent as HTTP Basic authentication to that upstream only, never shown
 * @param snapshotCredentials the same for the snapshot URL
 * @param watch the roots fetched on a schedule without client traffic ({@code watch:}), empty: off
 */
public record RepositoryConfig(
    String name,
    Format format,
    URI upstream,
    Optional<URI> snapshot,
    Keyring keyring,
    PinningPolicy pinning,
    Duration rootTtl,
    boolean offline,
    boolean repoGpgcheck,
    Duration negativeTtl,
    Optional<BasicCredentials> upstreamCredentials,
    Optional<BasicCredentials> snapshotCredentials,
    Optional<WatchConfig> watch) {

  /** {@code negative-ttl} when not given: long enough to absorb a client's retries and probes. */
  public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(30);

  public RepositoryConfig {
    Objects.requireNonNull(watch, "watch");
    if (upstream.getRawUserInfo() != null || snapshot.filter(s -> s.getRawUserInfo() != null).isPresent()) {
      // A URL with user-info would show the password wherever the URL is shown.
      throw new IllegalArgumentException("repository " + name + ": credentials belong in upstreamCredentials/"
          + "snapshotCredentials, not in the URL");
    }
  }

  /** A repository without a watch. */
  public RepositoryConfig(String name, Format format, URI upstream, Optional<URI> snapshot, Keyring keyring,
      PinningPolicy pinning, Duration rootTtl, boolean offline, boolean repoGpgcheck, Duration negativeTtl,
      Optional<BasicCredentials> upstreamCredentials, Optional<BasicCredentials> snapshotCredentials) {
    this(name, format, upstream, snapshot, keyring, pinning, rootTtl, offline, repoGpgcheck, negativeTtl,
        upstreamCredentials, snapshotCredentials, Optional.empty());
  }

  /** This repository with {@code value} as its watch. */
  public RepositoryConfig withWatch(WatchConfig value) {
    return new RepositoryConfig(name, format, upstream, snapshot, keyring, pinning, rootTtl, offline, repoGpgcheck,
        negativeTtl, upstreamCredentials, snapshotCredentials, Optional.of(value));
  }

  /** A repository whose upstreams need no credentials. */
  public RepositoryConfig(String name, Format format, URI upstream, Optional<URI> snapshot, Keyring keyring,
      PinningPolicy pinning, Duration rootTtl, boolean offline, boolean repoGpgcheck, Duration negativeTtl) {
    this(name, format, upstream, snapshot, keyring, pinning, rootTtl, offline, repoGpgcheck, negativeTtl,
        Optional.empty(), Optional.empty());
  }

  /** A repository with {@code negative-ttl} at its default. */
  public RepositoryConfig(String name, Format format, URI upstream, Optional<URI> snapshot, Keyring keyring,
      PinningPolicy pinning, Duration rootTtl, boolean offline, boolean repoGpgcheck) {
    this(name, format, upstream, snapshot, keyring, pinning, rootTtl, offline, repoGpgcheck, DEFAULT_NEGATIVE_TTL);
  }

  /** A repository with {@code repo-gpgcheck} at its default (true). */
  public RepositoryConfig(String name, Format format, URI upstream, Optional<URI> snapshot, Keyring keyring,
      PinningPolicy pinning, Duration rootTtl, boolean offline) {
    this(name, format, upstream, snapshot, keyring, pinning, rootTtl, offline, true);
  }

  public enum Format { APT, APK, DNF }

  public enum PinningPolicy { BEST_EFFORT, STRICT }
}
