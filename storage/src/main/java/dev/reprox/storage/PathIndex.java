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

  /**
   * Shows every entry of {@code repo} to {@code visitor}, in no promised order and never the whole
   * table at once; for {@code reprox gc}'s mark phase.
   */
  void forEach(String repo, Visitor visitor) throws IOException;

  /**
   * Removes every entry and "indexed" marker of {@code repo} whose listing {@code doomed} accepts;
   * returns the entries removed. Markers go first: a crash midway leaves listings un-indexed (a
   * later request re-indexes them) and stray entries that the next call removes.
   */
  long deleteListings(String repo, java.util.function.Predicate<Digest> doomed) throws IOException;

  /** Sees one path entry. */
  @FunctionalInterface
  interface Visitor {
    void visit(PathEntry entry) throws IOException;
  }
}
