package dev.reprox.server.http;

import dev.reprox.config.BasicCredentials;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.server.upstream.HostStatus;
import dev.reprox.storage.Generation;
import dev.reprox.storage.Pin;
import dev.reprox.storage.StorageStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The status page at {@code /-/}: server-rendered HTML with inline CSS and SVG, no script. Per
 * repository a timeline per root ({@link TimelineSvg}) and its pin counts; recent build labels;
 * the store; traffic from the request counters; upstream hosts. {@link #gather} reads storage
 * (blocking: call it off the event loop) into a {@link Snapshot}; {@link #render} ({@link StatusPageHtml}) only formats it,
 * escaping every text that came from configuration, storage or a client (labels, paths).
 */
final class StatusPage {
  /** Roots drawn per repository and generations / pins drawn per root: a page stays small. */
  static final int MAX_ROOTS = 12;
  static final int MAX_GENERATIONS = 200;
  static final int MAX_PINS = 200;
  static final int MAX_BUILDS = 20;

  /** One root's generations and pins, the most recent {@link #MAX_GENERATIONS} / {@link #MAX_PINS}. */
  /** {@code watch}: what the watch says of this root ("watched, last success …"), or null when not watched. */
  record Root(String path, List<Generation> generations, int generationCount, List<Pin> pins, int pinCount,
      String watch) {
    Root(String path, List<Generation> generations, int generationCount, List<Pin> pins, int pinCount) {
      this(path, generations, generationCount, pins, pinCount, null);
    }
  }

  /** One repository; {@code roots} bounded by {@link #MAX_ROOTS}, {@code rootCount} all of them. */
  record Repo(String name, String format, String upstream, String mode, List<Root> roots, int rootCount,
      long proven, long unproven, long firstUse, String error) {}

  /** Hit/miss counts of packages and listings (no root index), and byte counters. */
  record Traffic(long hits, long misses, double servedBytes, double savedBytes, double upstreamBytes) {}

  record Snapshot(Instant now, boolean offline, int inFlight, List<Repo> repos, List<BuildLabels.Build> builds,
      int buildCount, StorageStats store, long diskBytes, Traffic traffic, List<HostStatus> hosts, String lastGc) {
    Snapshot(Instant now, boolean offline, int inFlight, List<Repo> repos, List<BuildLabels.Build> builds,
        int buildCount, StorageStats store, long diskBytes, Traffic traffic, List<HostStatus> hosts) {
      this(now, offline, inFlight, repos, builds, buildCount, store, diskBytes, traffic, hosts, "never");
    }
  }

  private StatusPage() {}

  /** Everything the page shows, read now. Blocking (storage, the data directory walk). */
  static Snapshot gather(ServingContext sc, Instant now) {
    List<Repo> repos = new ArrayList<>();
    for (RepositoryConfig r : sc.config.repositories().values()) {
      repos.add(repo(sc, r));
    }
    List<BuildLabels.Build> builds = sc.builds.recent();
    List<HostStatus> hosts = sc.fetchers == null ? List.of() : sc.fetchers.upstreamHosts();
    return new Snapshot(now, sc.config.offline(), sc.inFlight.count(), repos,
        builds.subList(0, Math.min(MAX_BUILDS, builds.size())), builds.size(), sc.storageStats.get(), diskBytes(sc.registry),
        traffic(sc.registry), hosts, sc.gc == null ? "never" : sc.gc.describe());
  }

  private static Repo repo(ServingContext sc, RepositoryConfig r) {
    String format = String.valueOf(r.format()).toLowerCase(Locale.ROOT);
    String upstream = BasicCredentials.redact(BasicCredentials.display(r.upstream(), r.upstreamCredentials()));
    String mode = r.offline() || sc.config.offline() ? "offline" : "live";
    if (sc.fetchers == null) {
      return new Repo(r.name(), format, upstream, mode, List.of(), 0, 0, 0, 0, null);
    }
    try {
      List<Pin> allPins = sc.fetchers.pinsBlocking(r.name());
      List<String> rootPaths = sc.fetchers.rootsBlocking(r.name());
      List<Root> roots = new ArrayList<>();
      for (String path : rootPaths.subList(0, Math.min(MAX_ROOTS, rootPaths.size()))) {
        List<Generation> gens = sc.fetchers.generationsBlocking(r.name(), path).stream()
            .sorted(Comparator.comparing(Generation::publishedAt)).toList();
        List<Pin> pins = allPins.stream().filter(p -> p.root().equals(path)).toList();
        roots.add(new Root(path, last(gens, MAX_GENERATIONS), gens.size(), last(pins, MAX_PINS), pins.size(),
            watch(sc, r.name(), path)));
      }
      return new Repo(r.name(), format, upstream, mode, roots, rootPaths.size(), count(allPins, Pin.Status.PROVEN),
          count(allPins, Pin.Status.UNPROVEN), count(allPins, Pin.Status.FIRST_USE), null);
    } catch (IOException | RuntimeException e) {
      return new Repo(r.name(), format, upstream, mode, List.of(), 0, 0, 0, 0,
          BasicCredentials.redact(String.valueOf(e.getMessage())));
    }
  }

  private static String watch(ServingContext sc, String repo, String root) {
    if (!sc.fetchers.watches().watching(repo, root)) {
      return null;
    }
    var status = sc.fetchers.watches().status(repo, root);
    if (status.isEmpty()) {
      return "watched, first round pending";
    }
    var failing = status.get().outages().stream().filter(o -> o.to() == null).findFirst();
    if (failing.isPresent()) {
      return "watched, failing since " + failing.get().from() + ": " + BasicCredentials.redact(failing.get().reason());
    }
    return "watched, last success " + status.get().lastSuccess();
  }

  private static long count(List<Pin> pins, Pin.Status status) {
    return pins.stream().filter(p -> p.status() == status).count();
  }

  private static <T> List<T> last(List<T> list, int n) {
    return list.size() <= n ? list : list.subList(list.size() - n, list.size());
  }

  /**
   * {@code reprox.store.disk.bytes} (the server's walker of the data directory keeps it), or -1
   * without one (a server built without it, tests).
   */
  static long diskBytes(MeterRegistry registry) {
    Gauge g = registry.find("reprox.store.disk.bytes").gauge();
    return g == null ? -1 : (long) g.value();
  }

  /**
   * Hits and misses from the request counters ({@code reprox.requests}) of every kind of path but
   * {@code root}: a root index served from the store within root-ttl is a revalidation put off,
   * not upstream bytes spared (docs/observability.md has the same ratio in PromQL).
   */
  static Traffic traffic(MeterRegistry registry) {
    return new Traffic(requests(registry, "hit"), requests(registry, "miss"),
        sum(registry, "reprox.served.bytes", null, null),
        sum(registry, "reprox.served.bytes", "outcome", "hit"),
        sum(registry, "reprox.upstream.bytes", null, null));
  }

  private static long requests(MeterRegistry registry, String outcome) {
    return registry.find("reprox.requests").tag("outcome", outcome).timers().stream()
        .filter(t -> !"root".equals(t.getId().getTag("kind"))).mapToLong(Timer::count).sum();
  }

  private static double sum(MeterRegistry registry, String name, String tag, String value) {
    var search = registry.find(name);
    if (tag != null) {
      search = search.tag(tag, value);
    }
    return search.counters().stream().mapToDouble(Counter::count).sum();
  }

  /** The page's HTML ({@link StatusPageHtml}). */
  static String render(Snapshot s) {
    return StatusPageHtml.render(s);
  }
}
