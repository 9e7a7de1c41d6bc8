package dev.reprox.server.http;

import dev.reprox.config.RepositoryConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Forward mode's table: which configured repository a proxied URL belongs to. Every repository
 * contributes its {@code upstream} (live) and, when set, its {@code snapshot} base (the next path
 * segment is T). A URL matches an entry when the host is the same, the port is the same (a
 * scheme's default port matches the other scheme's default port, so an {@code http://} request
 * reaches an {@code https://}-configured mirror of the same host and path: the signatures, not the
 * transport, protect the bytes) and the entry's path is a prefix on a segment boundary. The
 * longest prefix wins.
 */
final class UpstreamMap {
  /** Live mirror or snapshot server. */
  enum Kind { LIVE, SNAPSHOT }

  /** One base URL of one repository, split for matching. */
  record Entry(RepositoryConfig repository, Kind kind, URI base, String host, int port, boolean defaultPort,
      List<String> segments) {}

  /** A matched URL: the repository, which base matched, and the path segments below it. */
  record Match(Entry entry, List<String> rest) {}

  private final List<Entry> entries;

  UpstreamMap(Iterable<RepositoryConfig> repositories) {
    List<Entry> list = new ArrayList<>();
    for (RepositoryConfig r : repositories) {
      list.add(entry(r, Kind.LIVE, r.upstream()));
      r.snapshot().ifPresent(s -> list.add(entry(r, Kind.SNAPSHOT, s)));
    }
    // Longest prefix first, so the first match is the most specific one.
    list.sort(Comparator.comparingInt((Entry e) -> e.segments().size()).reversed());
    this.entries = List.copyOf(list);
  }

  private static Entry entry(RepositoryConfig r, Kind kind, URI base) {
    String scheme = base.getScheme().toLowerCase(Locale.ROOT);
    int port = base.getPort() >= 0 ? base.getPort() : defaultPort(scheme);
    return new Entry(r, kind, base, base.getHost().toLowerCase(Locale.ROOT).replaceAll("^\\[(.*)\\]$", "$1"), port, port == defaultPort(scheme),
        segments(base.getPath()));
  }

  static int defaultPort(String scheme) {
    return scheme.equalsIgnoreCase("https") ? 443 : 80;
  }

  private static List<String> segments(String path) {
    if (path == null) {
      return List.of();
    }
    return Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
  }

  /** Whether any entry names this host and port (Host-header routing starts here). */
  boolean knowsHost(String host, int port, boolean defaultPort) {
    for (Entry e : entries) { // a loop: every mirror-mode request asks, a stream allocated each time
      if (sameOrigin(e, host, port, defaultPort)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The most specific entry covering {@code host:port/segments}.
   *
   * @param defaultPort whether {@code port} is the default of the request's scheme
   */
  Optional<Match> match(String host, int port, boolean defaultPort, List<String> segments) {
    for (Entry e : entries) {
      if (sameOrigin(e, host, port, defaultPort) && isPrefix(e.segments(), segments)) {
        return Optional.of(new Match(e, segments.subList(e.segments().size(), segments.size())));
      }
    }
    return Optional.empty();
  }

  /** The first snapshot-server entry at {@code host:port}, whatever its path. */
  Optional<Entry> snapshotServer(String host, int port, boolean defaultPort) {
    return entries.stream().filter(e -> e.kind() == Kind.SNAPSHOT && sameOrigin(e, host, port, defaultPort)).findFirst();
  }

  private static boolean sameOrigin(Entry e, String host, int port, boolean defaultPort) {
    return e.host().equalsIgnoreCase(host) && (e.port() == port || (e.defaultPort() && defaultPort));
  }

  private static boolean isPrefix(List<String> prefix, List<String> segments) {
    return segments.size() >= prefix.size() && segments.subList(0, prefix.size()).equals(prefix);
  }

  /** For the 403 body: every repository and its base URLs, one per line. */
  String describe() {
    StringBuilder sb = new StringBuilder();
    entries.stream().map(Entry::repository).distinct().forEach(r -> {
      sb.append("  ").append(r.name()).append(": ").append(r.upstream());
      r.snapshot().ifPresent(s -> sb.append(" (snapshots ").append(s).append("<T>/)"));
      sb.append('\n');
    });
    return sb.toString();
  }
}
