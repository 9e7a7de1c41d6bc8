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
   * is returned unchanged. Otherwise the stored pin covers {@code at} and as much of
   * {@code wanted}'s range as no existing pin covers (the range is cut at its neighbours, so no
   * T already answered changes), and is one record with a neighbour it touches that has the same
   * answer (that neighbour's pinnedAt stays). Returns the pin covering {@code at} afterwards.
   * Atomic against concurrent callers.
   */
  Pin putIfAbsent(Pin wanted, Instant at) throws IOException;

  /** All pins of {@code repo}, in key order (root, then from). */
  List<Pin> list(String repo) throws IOException;
}
