package dev.reprox.pinning;

import dev.reprox.storage.Observations;
import dev.reprox.storage.Pins;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * Resolve(repo, root, T) of DESIGN.md §3, in this order:
 * <ol>
 *   <li>T after the clock's now → {@link Resolution.Status#LIVE}: not knowable yet, never pinned.
 *   <li>A pin for (repo, root, T) exists → it, unchanged, whatever has been observed since and
 *       whatever the policy now is.
 *   <li>The generation with the greatest publishedAt ≤ T, if an observation of it has
 *       fetchedAt ≥ T → pinned {@code PROVEN}.
 *   <li>Otherwise, when T lies after every known fetch of the root (T ≤ now, so it is in the past)
 *       and at least one generation is known, the {@link LiveSource}, when there is one and the
 *       repository is not offline, re-fetches the root now (fetchedAt = now ≥ T); its failure is
 *       noted, not thrown; then step 3 again.
 *   <li>Otherwise the {@link SnapshotSource}, when there is one, is asked for T (it records an
 *       observation at T); its failure is noted, not thrown; then step 3 again.
 *   <li>Still unproven: {@link PinningPolicy#STRICT} → {@link ResolveException.Kind#UNPROVEN} with
 *       the reason, nothing pinned; {@link PinningPolicy#BEST_EFFORT} → the floor generation pinned
 *       {@code UNPROVEN}, or, when only later-published generations exist, the earliest of them
 *       pinned {@code FIRST_USE}; when none exists at all → {@link ResolveException.Kind#NO_GENERATION}.
 * </ol>
 * Pins are written with {@code putIfAbsent}: of two concurrent first answers the stored one is
 * returned to both. A pin is a range of T ({@link dev.reprox.storage.Pins#putIfAbsent}): a new
 * answer joins a neighbouring one with the same generation and status when the T values between
 * them would all get that answer from what is stored now: proven, every T from the generation's
 * publication to its last fetch (before the next publication); first-use, every T before the
 * oldest publication; unproven, every T after the generation's last fetch and before the next
 * generation's publication, once one is known. First-use and unproven answers stand for T alone
 * when a snapshot server could have answered (one is configured) or the live fetch failed.
 */
public interface Resolver {

  Resolution resolve(String repo, String root, Instant t, PinningPolicy policy) throws ResolveException, IOException;

  /**
   * What {@link #resolve} would answer for T from what is stored now, without fetching anything
   * and without writing a pin: the read API's view.
   */
  Preview preview(String repo, String root, Instant t, PinningPolicy policy) throws IOException;

  static Builder builder() {
    return new Builder();
  }

  final class Builder {
    private Observations observations;
    private Pins pins;
    private Clock clock;
    private SnapshotSource snapshots;
    private LiveSource live;

    private Builder() {}

    public Builder observations(Observations observations) {
      this.observations = observations;
      return this;
    }

    public Builder pins(Pins pins) {
      this.pins = pins;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Optional: without one, unproven answers go straight to the policy. */
    public Builder snapshotSource(SnapshotSource snapshots) {
      this.snapshots = snapshots;
      return this;
    }

    /** Optional: without one, a T after the last fetch goes straight to the snapshot server. */
    public Builder liveSource(LiveSource live) {
      this.live = live;
      return this;
    }

    public Resolver build() {
      return new DefaultResolver(Objects.requireNonNull(observations, "observations"),
          Objects.requireNonNull(pins, "pins"), Objects.requireNonNull(clock, "clock"), snapshots, live);
    }
  }
}
