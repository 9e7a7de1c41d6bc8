package dev.reprox.pinning;

import java.io.IOException;

/**
 * The repository's live upstream, supplied by the proxy: asked when T lies after reprox's last
 * fetch of the root but not after now (DESIGN.md §3). A root fetched now, whose generation was
 * published at or before T, was current at T; so re-fetching once usually turns "a few minutes
 * ago" (the usual {@code SOURCE_DATE_EPOCH} of a CI build) into a proven pin without the snapshot
 * server. An implementation re-fetches {@code root} from the upstream now (coalesced with other
 * revalidations of the same root, polite as in DESIGN.md §6), verifies it and records it as an
 * observation with {@code fetchedAt} = the clock's now and source {@code LIVE}. It blocks: the
 * resolver is only ever called off the event loop. It may throw when the upstream fails.
 */
public interface LiveSource {
  /** Re-fetches the live root now and records it; returns normally once recorded. */
  void fetchNow(String repo, String root) throws IOException;

  /** True when {@code repo} must not be fetched from (offline): {@link #fetchNow} is then not called. */
  default boolean offline(String repo) {
    return false;
  }
}
