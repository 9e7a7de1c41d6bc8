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
  /** A note on asking a source, and whether its outcome holds for every T, not just this one. */
  private record Asked(String note, boolean sameForEveryT) {}

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
      return Resolution.pinned(existing.get(), t, generationOf(existing.get(), t), false);
    }
    Optional<Generation> floor = observations.floor(repo, root, t);
    if (floor.isPresent() && floor.get().provenAt(t)) {
      return pin(floor.get(), t, Pin.Status.PROVEN, true);
    }
    Asked liveAsked = askLive(repo, root, t, floor);
    if (liveAsked != null) {
      floor = observations.floor(repo, root, t);
      if (floor.isPresent() && floor.get().provenAt(t)) {
        return pin(floor.get(), t, Pin.Status.PROVEN, true);
      }
    }
    Asked snapshotAsked = askSnapshotServer(repo, root, t);
    String notes = liveAsked == null ? snapshotAsked.note() : liveAsked.note() + "; " + snapshotAsked.note();
    boolean sameForEveryT = snapshotAsked.sameForEveryT() && (liveAsked == null || liveAsked.sameForEveryT());
    floor = observations.floor(repo, root, t);
    if (floor.isPresent() && floor.get().provenAt(t)) {
      return pin(floor.get(), t, Pin.Status.PROVEN, true);
    }
    String what = "resolve " + repo + " " + root + " @" + TimeSpec.format(t);
    if (policy == PinningPolicy.STRICT) {
      throw new ResolveException(ResolveException.Kind.UNPROVEN, what + ": not proven (policy strict): "
          + floor.map(g -> "generation " + g.digest().hex() + " published " + g.publishedAt() + " was last seen "
              + g.lastFetchedAt() + ", before T").orElse("no generation published at or before T is known")
          + "; " + notes);
    }
    if (floor.isPresent()) {
      return pin(floor.get(), t, Pin.Status.UNPROVEN, sameForEveryT);
    }
    Optional<Generation> later = observations.ceilingAfter(repo, root, t);
    if (later.isPresent()) {
      return pin(later.get(), t, Pin.Status.FIRST_USE, sameForEveryT);
    }
    throw new ResolveException(ResolveException.Kind.NO_GENERATION, what + ": no generation known; " + notes);
  }

  @Override
  public Preview preview(String repo, String root, Instant t, PinningPolicy policy) throws IOException {
    if (t.isAfter(clock.instant())) {
      return new Preview(repo, root, t, Preview.Status.LIVE, Optional.empty(), Optional.empty(), false, false);
    }
    Optional<Pin> existing = pins.get(repo, root, t);
    if (existing.isPresent()) {
      Pin p = existing.get();
      Preview.Status status = switch (p.status()) {
        case PROVEN -> Preview.Status.PROVEN;
        case UNPROVEN -> Preview.Status.UNPROVEN;
        case FIRST_USE -> Preview.Status.FIRST_USE;
      };
      return new Preview(repo, root, t, status, observations.byDigest(repo, root, p.generation()), existing, false,
          false);
    }
    Optional<Generation> floor = observations.floor(repo, root, t);
    if (floor.isPresent() && floor.get().provenAt(t)) {
      return new Preview(repo, root, t, Preview.Status.PROVEN, floor, Optional.empty(), true, false);
    }
    Optional<Generation> later = observations.ceilingAfter(repo, root, t);
    boolean mayFetch = snapshots != null || liveWouldBeAsked(repo, floor, later, t);
    if (floor.isEmpty() && later.isEmpty()) {
      // The proxy observes the live root once for a root it has never seen (not the resolver).
      return new Preview(repo, root, t, Preview.Status.NO_GENERATION, Optional.empty(), Optional.empty(), true, true);
    }
    if (policy == PinningPolicy.STRICT) {
      return new Preview(repo, root, t, Preview.Status.REFUSED, floor, Optional.empty(), false, mayFetch);
    }
    return floor.isPresent()
        ? new Preview(repo, root, t, Preview.Status.UNPROVEN, floor, Optional.empty(), true, mayFetch)
        : new Preview(repo, root, t, Preview.Status.FIRST_USE, later, Optional.empty(), true, mayFetch);
  }

  /**
   * Re-fetches the live root when that could prove T: T (≤ now) lies after every fetch of the
   * root known here. Known means the floor generation (not proven, so fetched before T) and the
   * first generation published after T; once a generation published after T has been seen after
   * T, the live root is that one or newer and proves nothing about T. With no generation at all
   * the live root is asked first too: for a recent T it usually proves T at once, while a snapshot
   * server (slow, rate-limited, often unreachable) would be asked, with retries, before the proxy's
   * NO_GENERATION path ever got to the live root. Returns a note on the outcome, or null when not
   * asked.
   */
  private Asked askLive(String repo, String root, Instant t, Optional<Generation> floor) throws IOException {
    Optional<Generation> later = observations.ceilingAfter(repo, root, t);
    if (!liveWouldBeAsked(repo, floor, later, t)) {
      return null;
    }
    try {
      live.fetchNow(repo, root);
      return new Asked("the live root fetched now did not prove it", true);
    } catch (IOException | RuntimeException e) {
      // Like the snapshot server: its failure decides nothing, the next steps and the policy do.
      // A later try could prove another T, so this answer stands for T alone.
      return new Asked("the live root could not be fetched now: " + e.getMessage(), false);
    }
  }

  private boolean liveWouldBeAsked(String repo, Optional<Generation> floor, Optional<Generation> later, Instant t) {
    if (live == null || live.offline(repo)) {
      return false;
    }
    return later.isEmpty() || !later.get().provenAt(t);
  }

  /**
   * Asks the snapshot server, if any. Its answer is the same for every T only when there is no
   * server for this repository: a server that failed, or answered for this T, may answer another
   * T differently.
   */
  private Asked askSnapshotServer(String repo, String root, Instant t) {
    if (snapshots == null) {
      return new Asked("no snapshot server configured", true);
    }
    try {
      return snapshots.fetchAt(repo, root, t)
          ? new Asked("the snapshot server's answer did not prove it either", false)
          : new Asked("the snapshot server had no answer", true);
    } catch (IOException | RuntimeException e) {
      // The fallback is best effort by design: its failure decides nothing, the policy does.
      return new Asked("the snapshot server failed: " + e.getMessage(), false);
    }
  }

  /**
   * Pins {@code g} for T, vouching for the range of T values whose answer, from everything stored
   * now, is the same (docs/decisions.md "Pins are ranges"): the store joins T to a neighbouring
   * pin with this answer only across T values inside it. {@code sameForEveryT} false narrows an
   * unproven or first-use answer to T alone: a source asked for T could answer another T better.
   */
  private Resolution pin(Generation g, Instant t, Pin.Status status, boolean sameForEveryT)
      throws IOException, ResolveException {
    Instant now = clock.instant();
    Instant from = t;
    Instant to = t;
    Optional<Generation> next = observations.ceilingAfter(g.repo(), g.root(), t);
    Instant beforeNext = next.map(n -> n.publishedAt().minusNanos(1)).orElse(now);
    switch (status) {
      case PROVEN -> {
        // Every T' in [published, last fetch] before the next publication floors to g and is proven.
        from = g.publishedAt();
        to = min(min(g.lastFetchedAt(), beforeNext), now);
      }
      case UNPROVEN -> {
        // Only once a later generation is known can no later fetch prove a T' after g's last
        // fetch (g is no longer live); before that, the next sight of g proves T' up to it.
        if (sameForEveryT && next.isPresent()) {
          from = max(g.publishedAt(), g.lastFetchedAt().plusNanos(1));
          to = min(beforeNext, now);
        }
      }
      case FIRST_USE -> {
        // Nothing live can show a generation older than the oldest known: only a snapshot server.
        if (sameForEveryT) {
          from = Instant.MIN;
          to = min(g.publishedAt().minusNanos(1), now);
        }
      }
      default -> throw new IllegalStateException(status.name());
    }
    // Never narrower than T itself (a clock step back, an equal publication time).
    from = min(from, t);
    to = max(to, t);
    Pin wanted = new Pin(g.repo(), g.root(), from, to, g.digest(), status, now);
    Pin standing = pins.putIfAbsent(wanted, t);
    boolean mine = standing.sameAnswer(wanted);
    return Resolution.pinned(standing, t, mine ? g : generationOf(standing, t), mine);
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private Generation generationOf(Pin pin, Instant t) throws IOException, ResolveException {
    return observations.byDigest(pin.repo(), pin.root(), pin.generation())
        .orElseThrow(() -> new ResolveException(ResolveException.Kind.PIN_WITHOUT_GENERATION,
            "resolve " + pin.repo() + " " + pin.root() + " @" + TimeSpec.format(t) + ": pinned generation "
                + pin.generation().hex() + " is not in the store"));
  }
}
