package dev.reprox.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * The answer given for every T in [{@code from}, {@code to}] of (repo, root): one record for a
 * range of T values that got (or, by the evidence when it was written, would get) the same answer.
 * The answer for a T never changes once given (DESIGN.md §3); a later answer for a T outside every
 * range may extend a range that ends next to it, never change one.
 *
 * @param from the first T covered (inclusive)
 * @param to the last T covered (inclusive), {@code ≥ from}
 * @param status how well the answer was proven when it was pinned
 * @param pinnedAt when the range's first answer was written (injected clock)
 */
public record Pin(String repo, String root, Instant from, Instant to, Digest generation, Status status,
    Instant pinnedAt) {
  public enum Status { PROVEN, UNPROVEN, FIRST_USE }

  public Pin {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(generation, "generation");
    Objects.requireNonNull(status, "status");
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("pin range ends before it starts: " + from + " > " + to);
    }
  }

  /** The answer for the single T {@code at}. */
  public static Pin at(String repo, String root, Instant at, Digest generation, Status status, Instant pinnedAt) {
    return new Pin(repo, root, at, at, generation, status, pinnedAt);
  }

  public boolean covers(Instant t) {
    return !t.isBefore(from) && !t.isAfter(to);
  }

  /** Same generation and status: two ranges that may become one record. */
  public boolean sameAnswer(Pin other) {
    return generation.equals(other.generation) && status == other.status;
  }
}
