package dev.reprox.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@code reprox gc} keeps ({@code retention:}). Whatever a pin (or another root provider:
 * build records, lockfiles) needs is always kept; beyond that, generations observed within
 * {@code keep} of now, per repository unless {@code repositories.NAME.keep} says otherwise. With
 * {@code maxSize}, generations kept only for their age go, oldest first, until the blobs fit.
 *
 * @param keep generations last observed this recently are kept ({@code keep:}, default 90d)
 * @param maxSize the store's blob bytes {@code reprox gc} aims at ({@code max-size:}, none by default)
 * @param schedule how often a running server collects ({@code schedule:}, off by default)
 * @param repositories per-repository {@code keep} overrides, by repository name
 */
public record RetentionConfig(Duration keep, OptionalLong maxSize, Optional<Duration> schedule,
    Map<String, Duration> repositories) {
  public static final Duration DEFAULT_KEEP = Duration.ofDays(90);
  public static final RetentionConfig DEFAULT =
      new RetentionConfig(DEFAULT_KEEP, OptionalLong.empty(), Optional.empty(), Map.of());

  public RetentionConfig {
    Objects.requireNonNull(keep, "keep");
    Objects.requireNonNull(maxSize, "maxSize");
    Objects.requireNonNull(schedule, "schedule");
    repositories = Collections.unmodifiableMap(new LinkedHashMap<>(repositories));
  }

  /** The {@code keep} window of {@code repository}: its override, else the global one. */
  public Duration keepFor(String repository) {
    return repositories.getOrDefault(repository, keep);
  }
}
