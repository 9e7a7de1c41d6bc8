package dev.reprox.server.fetch;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.reprox.config.RepositoryConfig;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Upstream 404/410 answers remembered per repository and upstream URL for the repository's
 * {@code negative-ttl}: clients retry and probe missing paths (apt tries InRelease, then Release;
 * scanners walk whole trees), and without this every one of them is another upstream request.
 * Time comes from the injected clock, so tests move it instead of sleeping. Thread-safe.
 */
public final class Misses {
  private static final int MAX_ENTRIES = 10_000;

  private record Key(String repo, String uri) {}

  private record Miss(String message, long ttlNanos) {}

  private final Cache<Key, Miss> misses;

  public Misses(Clock clock) {
    this.misses = Caffeine.newBuilder().maximumSize(MAX_ENTRIES)
        .ticker(() -> {
          Instant now = clock.instant();
          return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        })
        .expireAfter(new Expiry<Key, Miss>() {
          @Override
          public long expireAfterCreate(Key key, Miss miss, long currentTime) {
            return miss.ttlNanos();
          }

          @Override
          public long expireAfterUpdate(Key key, Miss miss, long currentTime, long currentDuration) {
            return miss.ttlNanos();
          }

          @Override
          public long expireAfterRead(Key key, Miss miss, long currentTime, long currentDuration) {
            return currentDuration; // a remembered miss is not renewed by being asked for
          }
        })
        .build();
  }

  /** The 404 to answer for {@code uri} without asking, when one was seen within negative-ttl. */
  public Optional<FetchException> remembered(RepositoryConfig repo, URI uri) {
    Miss miss = misses.getIfPresent(new Key(repo.name(), uri.toString()));
    return miss == null ? Optional.empty() : Optional.of(new FetchException(FetchException.Kind.NOT_FOUND,
        miss.message() + " (remembered for negative-ttl " + repo.negativeTtl().toSeconds() + " s)"));
  }

  /** Remembers that the upstream answered 404/410 for {@code uri}. */
  public void remember(RepositoryConfig repo, URI uri, String message) {
    misses.put(new Key(repo.name(), uri.toString()), new Miss(message, repo.negativeTtl().toNanos()));
  }
}
