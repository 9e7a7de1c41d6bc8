package dev.reprox.storage;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Pins: the first answer for (repo, root, T), written once, stored as non-overlapping ranges of T
 * per (repo, root) so that many T values with one answer share one record.
 */
public interface Pins {
  /** The pin whose range covers {@code at}: one seek. */
  Optional<Pin> get(String repo, String root, Instant at) throws IOException;

  /**
   * Gives {@code at} the answer {@code wanted}, whose range (which must cover {@code at}) is every
   * T the caller vouches would get this same answer now. When a pin already covers {@code at} it
   * is returned unchanged. Otherwise {@code at} is stored, joined into a neighbouring pin with the
   * same answer when every T between the two lies in {@code wanted}'s range (the joined record
   * keeps the neighbour's pinnedAt); no pin ever covers a T before someone asked for a T at or
   * beyond it, and no T already answered changes. Returns the pin covering {@code at} afterwards.
   * Atomic against concurrent callers.
   */
  Pin putIfAbsent(Pin wanted, Instant at) throws IOException;

  /** All pins of {@code repo}, in key order (root, then from). */
  List<Pin> list(String repo) throws IOException;
}
