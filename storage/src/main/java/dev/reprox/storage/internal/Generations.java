package dev.reprox.storage.internal;

import dev.reprox.storage.Generation;
import dev.reprox.storage.Observation;

/** Folds observations into generations the same way in every implementation. */
public final class Generations {
  private Generations() {}

  /**
   * The generation after {@code observation}: a new one on first sight of the digest, else the
   * existing one with its fetch window widened. Publication time, signer and source stay those of
   * the first observation, because the signed bytes (and so their time) are the same.
   */
  public static Generation fold(Generation existing, Observation o) {
    if (existing == null) {
      return new Generation(o.repo(), o.root(), o.digest(), o.publishedAt(), o.publishedEstimated(),
          o.fetchedAt(), o.fetchedAt(), o.signer(), o.source());
    }
    return new Generation(existing.repo(), existing.root(), existing.digest(), existing.publishedAt(),
        existing.publishedEstimated(),
        o.fetchedAt().isBefore(existing.firstFetchedAt()) ? o.fetchedAt() : existing.firstFetchedAt(),
        o.fetchedAt().isAfter(existing.lastFetchedAt()) ? o.fetchedAt() : existing.lastFetchedAt(),
        existing.signer(), existing.source());
  }
}
