package dev.reprox.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The build labels forward-mode clients send as the password of {@code Proxy-Authorization}
 * ({@code http_proxy=http://<T>:<label>@reprox:3142}), in memory only: per label the first and
 * last request, the T it asked for, how many requests and which repositories. Bounded by a
 * Caffeine cache (a label that stops sending requests is forgotten first once the bound is
 * reached), so any number of distinct labels costs at most {@code capacity} entries. Served as
 * JSON at {@code GET /-/api/builds}; a restart forgets everything (it is a view of recent builds;
 * the record {@code reprox lock} reads is persisted by {@link BuildRecorder}).
 */
final class BuildLabels {
  static final int CAPACITY = 1000;
  /** Distinct T values kept per label: one is normal, several mean the build is not pinned consistently. */
  static final int MAX_AT_VALUES = 16;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Roots kept per label in {@code notProven}; a build that meets more has bigger problems than the list. */
  static final int MAX_NOT_PROVEN = 64;
  /** Pin statuses from best to worst; {@code worstPin} is the highest seen. */
  static final java.util.List<String> PIN_ORDER = java.util.List.of("live", "proven", "unproven", "first-use");

  /**
   * One label's requests so far. {@code at} is the latest T ("live" when unpinned); {@code worstPin}
   * the worst pin status of its answers (null before any answer from a trust chain); {@code
   * notProven} the {@code <repo>/<root>}s answered unproven or first-use.
   */
  record Build(String label, Instant firstSeen, Instant lastSeen, String at, SortedSet<String> atSeen, long requests,
      SortedSet<String> repositories, String worstPin, SortedSet<String> notProven, long packages) {

    Build seen(Instant now, String t, String repository, boolean isPackage) {
      SortedSet<String> ats = atSeen;
      if (!ats.contains(t) && ats.size() < MAX_AT_VALUES) {
        ats = new TreeSet<>(ats);
        ats.add(t);
      }
      SortedSet<String> repos = repositories;
      if (!repos.contains(repository)) {
        repos = new TreeSet<>(repos);
        repos.add(repository);
      }
      return new Build(label, firstSeen, now, t, ats, requests + 1, repos, worstPin, notProven,
          packages + (isPackage ? 1 : 0));
    }

    Build pinned(String pin, Optional<String> root) {
      String worst = worstPin == null || PIN_ORDER.indexOf(pin) > PIN_ORDER.indexOf(worstPin) ? pin : worstPin;
      SortedSet<String> roots = notProven;
      boolean unproven = pin.equals("unproven") || pin.equals("first-use");
      if (unproven && root.isPresent() && !roots.contains(root.get()) && roots.size() < MAX_NOT_PROVEN) {
        roots = new TreeSet<>(roots);
        roots.add(root.get());
      }
      return worst.equals(worstPin) && roots == notProven ? this
          : new Build(label, firstSeen, lastSeen, at, atSeen, requests, repositories, worst, roots, packages);
    }
  }

  private final Clock clock;
  private final int capacity;
  private final Cache<String, Build> builds;

  BuildLabels(Clock clock, int capacity) {
    this.clock = clock;
    this.capacity = capacity;
    // Maintenance on the recording thread: a few nanoseconds amortised, and the bound holds at once.
    this.builds = Caffeine.newBuilder().maximumSize(capacity).executor(Runnable::run).build();
  }

  /** One request of {@code label} for {@code repository}, pinned at {@code at} (empty: live). */
  void record(String label, Optional<Instant> at, String repository) {
    record(label, at, repository, false);
  }

  /** As {@link #record(String, Optional, String)}; {@code isPackage} counts it in {@code packages}. */
  void record(String label, Optional<Instant> at, String repository, boolean isPackage) {
    Instant now = clock.instant();
    String t = at.map(Instant::toString).orElse("live");
    builds.asMap().compute(label, (k, b) -> (b == null
        ? new Build(k, now, now, t, new TreeSet<>(), 0, new TreeSet<>(), null, new TreeSet<>(), 0) : b)
        .seen(now, t, repository, isPackage));
  }

  /** Every label kept, the most recently seen first. */
  java.util.List<Build> recent() {
    return builds.asMap().values().stream()
        .sorted(Comparator.comparing(Build::lastSeen).reversed().thenComparing(Build::label)).toList();
  }

  /**
   * An answer to {@code label} from a trust chain: its {@code X-Reprox-Pin} status and the root whose
   * pin decided it (empty when live). Unknown statuses are ignored; so is a label already forgotten.
   */
  void pinned(String label, String pin, Optional<String> root) {
    if (PIN_ORDER.contains(pin)) {
      builds.asMap().computeIfPresent(label, (k, b) -> b.pinned(pin, root));
    }
  }

  /** Removes {@code label}'s record; what it was, or empty when none was kept. */
  Optional<Build> forget(String label) {
    return Optional.ofNullable(builds.asMap().remove(label));
  }

  Optional<Build> get(String label) {
    return Optional.ofNullable(builds.getIfPresent(label));
  }

  long size() {
    return builds.estimatedSize();
  }

  /** {@code {"capacity": N, "builds": [...]}}, the most recently seen label first. */
  String json() {
    ObjectNode root = JSON.createObjectNode();
    root.put("capacity", capacity);
    ArrayNode out = root.putArray("builds");
    recent().forEach(b -> {
      ObjectNode o = out.addObject();
      o.put("label", b.label());
      o.put("firstSeen", b.firstSeen().toString());
      o.put("lastSeen", b.lastSeen().toString());
      o.put("at", b.at());
      b.atSeen().forEach(o.putArray("atSeen")::add);
      o.put("requests", b.requests());
      o.put("packages", b.packages());
      b.repositories().forEach(o.putArray("repositories")::add);
      if (b.worstPin() != null) {
        o.put("worstPin", b.worstPin());
      }
      b.notProven().forEach(o.putArray("notProven")::add);
    });
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException("write /-/api/builds", e);
    }
  }
}
