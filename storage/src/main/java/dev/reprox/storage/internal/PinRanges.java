package dev.reprox.storage.internal;

import dev.reprox.storage.Pin;
import java.time.Instant;

/** How a new pin is cut and joined between its neighbours, the same way in every implementation. */
public final class PinRanges {
  private PinRanges() {}

  /**
   * The record to store for {@code at} (covered by neither neighbour): {@code wanted}'s range cut
   * to lie strictly between {@code before} (the pin starting before {@code at}, or null) and
   * {@code after} (the first pin starting after it, or null), then joined with a neighbour it
   * touches that gives the same answer. The caller replaces {@code before} when the result starts
   * at {@code before.from()}, and deletes {@code after} when the result ends at {@code after.to()}.
   */
  public static Pin place(Pin wanted, Instant at, Pin before, Pin after) {
    if (!wanted.covers(at)) {
      throw new IllegalArgumentException("pin " + wanted + " does not cover " + at);
    }
    Instant from = wanted.from();
    Instant to = wanted.to();
    Instant pinnedAt = wanted.pinnedAt();
    if (before != null && !before.to().isBefore(from)) {
      from = before.to().plusNanos(1);
    }
    if (after != null && !after.from().isAfter(to)) {
      to = after.from().minusNanos(1);
    }
    if (before != null && before.sameAnswer(wanted) && before.to().plusNanos(1).equals(from)) {
      from = before.from();
      pinnedAt = before.pinnedAt();
    }
    if (after != null && after.sameAnswer(wanted) && after.from().minusNanos(1).equals(to)) {
      to = after.to();
      if (after.pinnedAt().isBefore(pinnedAt)) {
        pinnedAt = after.pinnedAt();
      }
    }
    return new Pin(wanted.repo(), wanted.root(), from, to, wanted.generation(), wanted.status(), pinnedAt);
  }
}
