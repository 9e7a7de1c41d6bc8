package dev.reprox.storage;

import java.time.Instant;

/**
 * The first answer given for (repo, root, T); never changes once written (DESIGN.md §3).
 *
 * @param status how well the answer was proven when it was pinned
 * @param pinnedAt when the pin was written (injected clock)
 */
public record Pin(String repo, String root, Instant at, Digest generation, Status status, Instant pinnedAt) {
  public enum Status { PROVEN, UNPROVEN, FIRST_USE }
}
