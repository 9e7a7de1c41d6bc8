package dev.reprox.server.upstream;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.URI;
import java.util.Optional;

/**
 * Where a URL ended up after redirects. Snapshot servers canonicalise timestamps and send every
 * file to {@code /file/<sha1>}; both answers are stable, so asking the original URL again would
 * only cost the server a round trip. Bounded: the oldest, least used entries go first.
 */
final class RedirectMemory {
  private final Cache<URI, URI> targets;

  RedirectMemory(long maxEntries) {
    this.targets = Caffeine.newBuilder().maximumSize(maxEntries).build();
  }

  Optional<URI> target(URI original) {
    return Optional.ofNullable(targets.getIfPresent(original));
  }

  void remember(URI original, URI target) {
    if (!original.equals(target)) {
      targets.put(original, target);
    }
  }

  void forget(URI original) {
    targets.invalidate(original);
  }
}
