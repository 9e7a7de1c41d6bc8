package dev.reprox.storage;

import java.io.IOException;
import java.util.List;

/**
 * Package path → what each listing that ever named it expects. Debian pool paths are immutable in
 * practice, but third-party repositories re-upload, so every (path, expected, listing) is kept and
 * the generation being served picks the entry whose listing it contains.
 */
public interface PathIndex {
  /** True once {@link #putListing} completed for this listing digest. */
  boolean isIndexed(String repo, Digest listing) throws IOException;

  /**
   * Records every entry of one listing; the "indexed" marker is written last, so a crash midway
   * leaves the listing un-indexed and the next call simply repeats the work.
   */
  void putListing(String repo, Digest listing, Iterable<PathEntry> entries) throws IOException;

  /** Every entry ever recorded for {@code path} in {@code repo}. */
  List<PathEntry> lookup(String repo, String path) throws IOException;
}
