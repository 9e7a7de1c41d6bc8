package dev.reprox.pinning;

/** What to answer when the generation current at T cannot be proven (DESIGN.md §3). */
public enum PinningPolicy {
  /** Serve and pin the best candidate, marked unproven or first-use. The default. */
  BEST_EFFORT,
  /** Refuse (503 with the reason) and pin nothing. */
  STRICT
}
