package dev.reprox.pinning;

import dev.reprox.storage.Generation;
import dev.reprox.storage.Pin;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer for (repo, root, T).
 *
 * @param status {@link Status#LIVE} for a T after now (serve live, never pinned), else how well the
 *     pinned generation is proven
 * @param generation the generation to serve; empty exactly when LIVE
 * @param pin the standing pin (its range covers {@code at}); empty exactly when LIVE
 * @param pinnedNow true when this call gave T its first answer (wrote or widened the pin)
 */
public record Resolution(String repo, String root, Instant at, Status status, Optional<Generation> generation,
    Optional<Pin> pin, boolean pinnedNow) {

  /** The {@code X-Reprox-Pin} value is {@link #headerValue()}. */
  public enum Status { LIVE, PROVEN, UNPROVEN, FIRST_USE }

  public Resolution {
    Objects.requireNonNull(status, "status");
    if ((status == Status.LIVE) == generation.isPresent() || generation.isPresent() != pin.isPresent()) {
      throw new IllegalArgumentException("a LIVE resolution has no generation and no pin, any other has both");
    }
  }

  static Resolution live(String repo, String root, Instant at) {
    return new Resolution(repo, root, at, Status.LIVE, Optional.empty(), Optional.empty(), false);
  }

  static Resolution pinned(Pin pin, Instant at, Generation generation, boolean pinnedNow) {
    Status status = switch (pin.status()) {
      case PROVEN -> Status.PROVEN;
      case UNPROVEN -> Status.UNPROVEN;
      case FIRST_USE -> Status.FIRST_USE;
    };
    return new Resolution(pin.repo(), pin.root(), at, status, Optional.of(generation), Optional.of(pin),
        pinnedNow);
  }

  /** {@code live}, {@code proven}, {@code unproven} or {@code first-use}. */
  public String headerValue() {
    return status.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
