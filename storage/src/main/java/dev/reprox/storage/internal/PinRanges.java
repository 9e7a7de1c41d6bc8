package dev.reprox.storage.internal;

import dev.reprox.storage.Pin;
import java.time.Instant;

/** How a new answer joins its neighbours, the same way in every implementation. */
public final class PinRanges {
  private PinRanges() {}

  /**
   * The record to store for {@code at}, which neither neighbour covers: {@code at} alone, joined
   * with {@code before} (the pin starting before {@code at}, or null) and {@code after} (the first
   * pin starting after it, or null) where one gives the same answer and the T values between it
   * and {@code at} lie inside {@code wanted}'s range, the T values the caller vouches would get
   * the same answer now. Only T values nobody has asked about are added, and only ones between
   * answers already given: the range grows with the questions, not ahead of them. The caller
   * replaces {@code before} when the result starts at {@code before.from()}, and deletes
   * {@code after} when the result ends at {@code after.to()}.
   */
  public static Pin place(Pin wanted, Instant at, Pin before, Pin after) {
    if (!wanted.covers(at)) {
      throw new IllegalArgumentException("pin " + wanted + " does not cover " + at);
    }
    Instant from = at;
    Instant to = at;
    Instant pinnedAt = wanted.pinnedAt();
    if (before != null && before.sameAnswer(wanted) && !before.to().plusNanos(1).isBefore(wanted.from())) {
      from = before.from();
      pinnedAt = before.pinnedAt();
    }
    if (after != null && after.sameAnswer(wanted) && !after.from().minusNanos(1).isAfter(wanted.to())) {
      to = after.to();
      if (after.pinnedAt().isBefore(pinnedAt)) {
        pinnedAt = after.pinnedAt();
      }
    }
    return new Pin(wanted.repo(), wanted.root(), from, to, wanted.generation(), wanted.status(), pinnedAt);
  }
}
