package dev.reprox.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A repository's {@code watch:}: the root indexes reprox fetches on a schedule without client
 * traffic, so that every T while it runs is proven (DESIGN.md §3).
 *
 * @param roots the root paths to follow; empty when {@code seen}
 * @param seen follow every root ever observed in the repository (from the stored observations)
 * @param interval the time between two rounds (a little jitter is added to each)
 * @param listings also fetch and index the listings each new generation names
 */
public record WatchConfig(List<String> roots, boolean seen, Duration interval, boolean listings) {
  /** {@code interval} when not given. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);
  /** Shorter is refused: a watch is a background courtesy to the upstream, not a poll loop. */
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(30);

  public WatchConfig {
    roots = List.copyOf(roots);
    Objects.requireNonNull(interval, "interval");
    if (seen != roots.isEmpty()) {
      throw new IllegalArgumentException("watch: either roots or seen, not both or neither");
    }
  }
}
