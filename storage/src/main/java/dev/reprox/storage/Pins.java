package dev.reprox.storage;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Pins: the first answer for (repo, root, T), written once. */
public interface Pins {
  Optional<Pin> get(String repo, String root, Instant at) throws IOException;

  /**
   * Writes {@code pin} unless a pin for its (repo, root, at) exists; returns the pin that stands
   * afterwards (the existing one wins). Atomic against concurrent callers.
   */
  Pin putIfAbsent(Pin pin) throws IOException;

  /** All pins of {@code repo}, in key order (root, then at). */
  List<Pin> list(String repo) throws IOException;
}
