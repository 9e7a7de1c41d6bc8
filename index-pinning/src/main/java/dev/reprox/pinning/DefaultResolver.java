package dev.reprox.pinning;

import dev.reprox.storage.Generation;
import dev.reprox.storage.Observations;
import dev.reprox.storage.Pin;
import dev.reprox.storage.Pins;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/** {@link Resolver} over the storage's observations and pins. Stateless and thread-safe. */
final class DefaultResolver implements Resolver {
  private final Observations observations;
  private final Pins pins;
  private final Clock clock;
  private final SnapshotSource snapshots;
  private final LiveSource live;

  DefaultResolver(Observations observations, Pins pins, Clock clock, SnapshotSource snapshots, LiveSource live) {
    this.observations = observations;
    this.pins = pins;
    this.clock = clock;
    this.snapshots = snapshots;
    this.live = live;
  }

  @Override
  public Resolution resolve(String repo, String root, Instant t, PinningPolicy policy)
      throws ResolveException, IOException {
    if (t.isAfter(clock.instant())) {
      return Resolution.live(repo, root, t);
    }
    Optional<Pin> existing = pins.get(repo, root, t);
    if (existing.isPresent()) {
      return Resolution.pinned(existing.get(), generationOf(existing.get()), false);
    }
    Optional<Generation> floor = observations.floor(repo, root, t);
    if (floor.isPresent() && floor.get().provenAt(t)) {
      return pin(floor.get(), t, Pin.Status.PROVEN);
    }
    String liveNote = askLive(repo, root, t, floor);
    if (liveNote != null) {
      floor = observations.floor(repo, root, t);
      if (floor.isPresent() && floor.get().provenAt(t)) {
        return pin(floor.get(), t, Pin.Status.PROVEN);
      }
    }
    String snapshotNote = askSnapshotServer(repo, root, t);
    if (liveNote != null) {
      snapshotNote = liveNote + "; " + snapshotNote;
    }
    floor = observations.floor(repo, root, t);
    if (floor.isPresent() && floor.get().provenAt(t)) {
      return pin(floor.get(), t, Pin.Status.PROVEN);
    }
    String what = "resolve " + repo + " " + root + " @" + TimeSpec.format(t);
    if (policy == PinningPolicy.STRICT) {
      throw new ResolveException(ResolveException.Kind.UNPROVEN, what + ": not proven (policy strict): "
          + floor.map(g -> "generation " + g.digest().hex() + " published " + g.publishedAt() + " was last seen "
              + g.lastFetchedAt() + ", before T").orElse("no generation published at or before T is known")
          + "; " + snapshotNote);
    }
    if (floor.isPresent()) {
      return pin(floor.get(), t, Pin.Status.UNPROVEN);
    }
    Optional<Generation> later = observations.ceilingAfter(repo, root, t);
    if (later.isPresent()) {
      return pin(later.get(), t, Pin.Status.FIRST_USE);
    }
    throw new ResolveException(ResolveException.Kind.NO_GENERATION, what + ": no generation known; " + snapshotNote);
  }

  /**
   * Re-fetches the live root when that could prove T: T (≤ now) lies after every fetch of the
   * root known here. Known means the floor generation (not proven, so fetched before T) and the
   * first generation published after T; once a generation published after T has been seen after
   * T, the live root is that one or newer and proves nothing about T. With no generation at all
   * the proxy's NO_GENERATION path fetches live itself, so this does not. Returns a note on the
   * outcome, or null when not asked.
   */
  private String askLive(String repo, String root, Instant t, Optional<Generation> floor) throws IOException {
    if (live == null || live.offline(repo)) {
      return null;
    }
    Optional<Generation> later = observations.ceilingAfter(repo, root, t);
    if (floor.isEmpty() && later.isEmpty()) {
      return null;
    }
    if (later.isPresent() && later.get().provenAt(t)) {
      return null;
    }
    try {
      live.fetchNow(repo, root);
      return "the live root fetched now did not prove it";
    } catch (IOException | RuntimeException e) {
      // Like the snapshot server: its failure decides nothing, the next steps and the policy do.
      return "the live root could not be fetched now: " + e.getMessage();
    }
  }

  /** Asks the snapshot server, if any; returns a note on the outcome for error messages. */
  private String askSnapshotServer(String repo, String root, Instant t) {
    if (snapshots == null) {
      return "no snapshot server configured";
    }
    try {
      return snapshots.fetchAt(repo, root, t) ? "the snapshot server's answer did not prove it either"
          : "the snapshot server had no answer";
    } catch (IOException | RuntimeException e) {
      // The fallback is best effort by design: its failure decides nothing, the policy does.
      return "the snapshot server failed: " + e.getMessage();
    }
  }

  private Resolution pin(Generation g, Instant t, Pin.Status status) throws IOException, ResolveException {
    Pin wanted = new Pin(g.repo(), g.root(), t, g.digest(), status, clock.instant());
    Pin standing = pins.putIfAbsent(wanted);
    boolean mine = standing.equals(wanted);
    return Resolution.pinned(standing, mine ? g : generationOf(standing), mine);
  }

  private Generation generationOf(Pin pin) throws IOException, ResolveException {
    return observations.byDigest(pin.repo(), pin.root(), pin.generation())
        .orElseThrow(() -> new ResolveException(ResolveException.Kind.PIN_WITHOUT_GENERATION,
            "resolve " + pin.repo() + " " + pin.root() + " @" + TimeSpec.format(pin.at()) + ": pinned generation "
                + pin.generation().hex() + " is not in the store"));
  }
}
