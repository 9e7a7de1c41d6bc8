package dev.reprox.server.fetch;

import static dev.reprox.server.LogSafe.escape;

import dev.reprox.config.WatchConfig;
import dev.reprox.pinning.PathKind;
import dev.reprox.pinning.RootIndex;
import dev.reprox.server.trust.GenerationListings;
import dev.reprox.server.trust.Roots;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Ref;
import dev.reprox.storage.Storage;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The repositories' {@code watch:}: every interval (plus jitter) each watched root is revalidated
 * through {@link Roots#watchBlocking} (the polite layer and breaker of client traffic, conditional
 * when the upstream gave validators), so observations keep coming without client traffic. With
 * {@code listings: true} a new generation's listings are then fetched by the locate step a package
 * request takes ({@link GenerationListings}: verified against the root, stored, indexed).
 *
 * <p>Nothing here runs on its own: {@link #tick} runs the rounds that are due by the injected
 * clock and returns; the server calls it from its own single thread (never the event loop), tests
 * call it directly. A root that keeps failing is one WARN line when it starts failing and one
 * INFO line when it recovers, not one per round; its outages are kept (in memory, the last
 * {@value WatchHealth#OUTAGES_KEPT}; {@link WatchHealth}) to name the cause of coverage gaps.
 */
public final class Watches {
  private static final Logger log = LoggerFactory.getLogger(Watches.class);
  /** The first round of each repository falls somewhere in this after startup. */
  private static final Duration FIRST_ROUND_SPREAD = Duration.ofSeconds(30);
  private static final long LISTING_WAIT_MINUTES = 10;

  /** A time the watch of a root failed; {@code to} is null while it still fails. */
  public record Outage(Instant from, Instant to, String reason) {}

  /** What the watch knows of one root since this process started. */
  public record RootStatus(Instant lastSuccess, Instant lastAttempt, List<Outage> outages) {}

  private static final class RepoWatch {
    final SignedRepository repository;
    final WatchConfig config;
    Instant nextDue;

    RepoWatch(SignedRepository repository, WatchConfig config, Instant nextDue) {
      this.repository = repository;
      this.config = config;
      this.nextDue = nextDue;
    }
  }

  private final Map<String, RepoWatch> watches = new LinkedHashMap<>();
  private final Roots roots;
  private final GenerationListings listings;
  private final Storage storage;
  private final Clock clock;
  private final WatchHealth health;
  private final RandomGenerator random;

  Watches(Collection<SignedRepository> repositories, Roots roots, GenerationListings listings, Storage storage,
      Clock clock, MeterRegistry registry, RandomGenerator random) {
    this.roots = roots;
    this.listings = listings;
    this.storage = storage;
    this.clock = clock;
    this.health = new WatchHealth(clock, registry);
    this.random = random;
    Instant now = clock.instant();
    for (SignedRepository r : repositories) {
      Optional<WatchConfig> w = r.config().watch();
      if (w.isEmpty()) {
        continue;
      }
      if (roots.offline(r)) {
        log.info("watch of {} is off: {}", r.name(), roots.offlineSwitch(r));
        continue;
      }
      List<String> kept = new ArrayList<>();
      for (String root : w.get().roots()) {
        if (r.format().classify(root) == PathKind.ROOT_INDEX) {
          kept.add(root);
        } else {
          log.error("watch of {}: {} is not a root index of its format ({}); not watched", r.name(), escape(root),
              r.config().format().name().toLowerCase(java.util.Locale.ROOT));
        }
      }
      if (!w.get().seen() && kept.isEmpty()) {
        continue;
      }
      WatchConfig config = new WatchConfig(kept, w.get().seen(), w.get().interval(), w.get().listings());
      watches.put(r.name(), new RepoWatch(r, config, now.plusMillis(jitter(FIRST_ROUND_SPREAD))));
      log.info("watch of {}: {} every {} s{}", r.name(), config.seen() ? "every root seen" : String.join(", ",
          kept.stream().map(dev.reprox.server.LogSafe::escape).toList()), config.interval().toSeconds(),
          config.listings() ? ", with listings" : "");
    }
  }

  /** True when at least one repository is watched: only then does the server schedule {@link #tick}. */
  public boolean any() {
    return !watches.isEmpty();
  }

  /** True when {@code repo} is watched. */
  public boolean watching(String repo) {
    return watches.containsKey(repo);
  }

  /** True when {@code root} of {@code repo} is watched (named, or {@code seen} and observed). */
  public boolean watching(String repo, String root) {
    RepoWatch w = watches.get(repo);
    return w != null && (w.config.seen() || w.config.roots().contains(root));
  }

  /** The longest time between two rounds of {@code repo}'s watch (interval plus the most jitter). */
  public Optional<Duration> longestPause(String repo) {
    RepoWatch w = watches.get(repo);
    return w == null ? Optional.empty() : Optional.of(w.config.interval().plus(w.config.interval().dividedBy(10)));
  }

  /** When {@code repo}'s next round is due (tests). */
  synchronized Optional<Instant> nextDue(String repo) {
    RepoWatch w = watches.get(repo);
    return w == null ? Optional.empty() : Optional.of(w.nextDue);
  }

  /** What the watch saw of {@code repo}'s {@code root} since startup; empty when it never tried. */
  public Optional<RootStatus> status(String repo, String root) {
    return health.status(repo, root);
  }

  /**
   * Runs every round that is due by the clock, one repository after the other, and schedules each
   * one's next round an interval plus up to a tenth of it later. Blocking (upstream, storage);
   * never throws. Returns the number of rounds run.
   */
  public synchronized int tick() {
    int ran = 0;
    for (RepoWatch w : watches.values()) {
      if (clock.instant().isBefore(w.nextDue)) {
        continue;
      }
      try {
        round(w);
      } catch (RuntimeException | IOException e) {
        log.warn("watch of {}: round failed: {}", w.repository.name(), escape(String.valueOf(e.getMessage())));
      }
      Duration interval = w.config.interval();
      w.nextDue = clock.instant().plus(interval).plusMillis(jitter(interval.dividedBy(10)));
      ran++;
    }
    return ran;
  }

  private long jitter(Duration spread) {
    long ms = spread.toMillis();
    return ms <= 0 ? 0 : random.nextLong(ms);
  }

  private void round(RepoWatch w) throws IOException {
    SignedRepository r = w.repository;
    List<String> rootPaths = w.config.seen() ? storage.observations().roots(r.name()) : w.config.roots();
    for (String root : rootPaths) {
      if (Thread.currentThread().isInterrupted()) {
        return; // the server is closing
      }
      watchRoot(w, root);
    }
  }

  private void watchRoot(RepoWatch w, String root) throws IOException {
    SignedRepository r = w.repository;
    WatchHealth.Tracked state = health.track(r.name(), root);
    Optional<Digest> before = storage.refs().get(r.name(), root).map(Ref::digest);
    Instant at = clock.instant();
    Roots.Live live;
    try {
      live = roots.watchBlocking(r, root);
    } catch (IOException | RuntimeException e) {
      health.failed(state, at, w.config.interval(), e);
      return;
    }
    boolean fresh = before.isEmpty() || !before.get().equals(live.index().digest());
    health.succeeded(state, at, fresh ? "new_generation" : "unchanged");
    if (fresh && w.config.listings()) {
      listings(r, live.index());
    }
  }

  /**
   * Fetches and indexes each listing {@code index} names through the locate step a package
   * request takes ({@link GenerationListings#ensureAll}: one variant per listing, by-hash and gzip
   * where offered, checked against the root, once per listing digest), and waits until it is done.
   * Listings already indexed are skipped.
   */
  private void listings(SignedRepository r, RootIndex index) {
    int total = r.format().listings(index).size();
    int failed;
    try {
      failed = listings.ensureAll(r, index).get(LISTING_WAIT_MINUTES, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return; // the server is closing
    } catch (ExecutionException | TimeoutException e) {
      failed = total;
    }
    if (failed == 0) {
      log.info("watch of {}/{}: {} listing(s) of {} stored and indexed", r.name(), escape(index.path()), total,
          index.digest());
    } else {
      log.warn("watch of {}/{}: {} of {} listing(s) of {} could not be fetched; a request needing them fetches"
          + " them then", r.name(), escape(index.path()), failed, total, index.digest());
    }
  }
}
