package dev.reprox.pinning;

import java.io.IOException;
import java.time.Instant;

/**
 * The repository's snapshot server, supplied by the proxy: asked when the generation current at T
 * cannot be proven from reprox's own observations (DESIGN.md §3). An implementation fetches
 * {@code root} as it was at {@code t}, verifies it with the repository's {@link Format}, and
 * records it as an observation with {@code fetchedAt = t} and source {@code SNAPSHOT_SERVER}
 * (a snapshot server's answer for T shows what was current at T). It must be polite (DESIGN.md §6)
 * and may simply throw when the server is unreachable or refuses.
 */
@FunctionalInterface
public interface SnapshotSource {
  /** Fetches and records; returns true when an observation was recorded. */
  boolean fetchAt(String repo, String root, Instant t) throws IOException;
}
