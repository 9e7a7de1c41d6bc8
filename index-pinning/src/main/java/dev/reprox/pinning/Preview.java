package dev.reprox.pinning;

import dev.reprox.storage.Generation;
import dev.reprox.storage.Pin;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * What a request at T would be served, found without fetching or writing anything
 * ({@link Resolver#preview}): the read API's answer.
 *
 * @param status the answer a request would get from what is stored now
 * @param generation the generation it would serve, when there is one
 * @param pin the standing pin for T, when T has been answered before (the answer then never changes)
 * @param wouldPin true when a request would write a pin for T (T not answered yet)
 * @param mayFetch true when a request would first ask the live root or the snapshot server, whose
 *     answer could prove T and so change {@code status} (and the generation)
 */
public record Preview(String repo, String root, Instant at, Status status, Optional<Generation> generation,
    Optional<Pin> pin, boolean wouldPin, boolean mayFetch) {

  /**
   * {@link #LIVE}, {@link #PROVEN}, {@link #UNPROVEN} and {@link #FIRST_USE} as in
   * {@link Resolution.Status}; {@link #REFUSED}: policy strict and not proven (a request gets a
   * 503 unless a fetch proves T); {@link #NO_GENERATION}: nothing of this root is stored.
   */
  public enum Status { LIVE, PROVEN, UNPROVEN, FIRST_USE, REFUSED, NO_GENERATION }

  /** {@code live}, {@code proven}, {@code unproven}, {@code first-use}, {@code refused} or {@code no-generation}. */
  public String statusValue() {
    return status.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
