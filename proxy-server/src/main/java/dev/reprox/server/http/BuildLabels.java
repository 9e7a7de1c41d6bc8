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
 * JSON at {@code GET /-/api/builds}; a restart forgets everything (it is a view of recent builds,
 * not a record: {@code reprox lock} will need one).
 */
final class BuildLabels {
  static final int CAPACITY = 1000;
  /** Distinct T values kept per label: one is normal, several mean the build is not pinned consistently. */
  static final int MAX_AT_VALUES = 16;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One label's requests so far. {@code at} is the latest T ("live" when unpinned). */
  record Build(String label, Instant firstSeen, Instant lastSeen, String at, SortedSet<String> atSeen, long requests,
      SortedSet<String> repositories) {

    Build seen(Instant now, String t, String repository) {
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
      return new Build(label, firstSeen, now, t, ats, requests + 1, repos);
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
    Instant now = clock.instant();
    String t = at.map(Instant::toString).orElse("live");
    builds.asMap().compute(label, (k, b) -> (b == null
        ? new Build(k, now, now, t, new TreeSet<>(), 0, new TreeSet<>()) : b).seen(now, t, repository));
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
    builds.asMap().values().stream()
        .sorted(Comparator.comparing(Build::lastSeen).reversed().thenComparing(Build::label))
        .forEach(b -> {
          ObjectNode o = out.addObject();
          o.put("label", b.label());
          o.put("firstSeen", b.firstSeen().toString());
          o.put("lastSeen", b.lastSeen().toString());
          o.put("at", b.at());
          b.atSeen().forEach(o.putArray("atSeen")::add);
          o.put("requests", b.requests());
          b.repositories().forEach(o.putArray("repositories")::add);
        });
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException("write /-/api/builds", e);
    }
  }
}
