package dev.reprox.server.fetch;

import java.time.Duration;
import java.time.Instant;

/**
 * Whether a stored live path may be served without asking the upstream again. Content that a
 * path names by its hash or that mirrors never change in place (by-hash files, pool packages)
 * stays fresh forever; anything else (InRelease, Release, APKINDEX, repomd.xml, Packages) is
 * fresh for the repository's {@code root-ttl}. The signed-index issue replaces this with
 * revalidation of root indexes; until then a live index at least does not freeze.
 */
final class Freshness {
  private Freshness() {}

  static boolean immutable(String path) {
    return path.contains("/by-hash/") || path.startsWith("pool/") || path.contains("/pool/")
        || path.endsWith(".deb") || path.endsWith(".udeb") || path.endsWith(".apk") || path.endsWith(".rpm");
  }

  static boolean fresh(FetchRequest request, Instant seenAt, Instant now) {
    if (immutable(request.path())) {
      return true;
    }
    Duration ttl = request.repository().rootTtl();
    return seenAt.plus(ttl).isAfter(now);
  }
}
