package dev.reprox.server.cli;

import dev.reprox.config.RepositoryConfig;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.ThreadPools;
import dev.reprox.server.fetch.Fetchers;
import dev.reprox.server.fetch.Prewarm;
import dev.reprox.server.lock.LockEntry;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code reprox prewarm --data}: each lockfile entry handed straight to the fetch chain
 * ({@link Fetchers#prewarm}) in this process, with the same checks and outcomes as the admin route
 * {@code POST /-/api/admin/prewarm/<repo>} that a running server answers. No HTTP server, client,
 * token or JSON: those were a third of such a run's start-up and most of the code its JIT compiled
 * (issue 11). Only the repositories the lockfiles name are started, so the keyrings of the
 * others (the built-ins' RSA keys: 1.8 s of CPU) are never parsed.
 *
 * <p>Closing stops the chain (a fill in progress is abandoned, nothing half-written is stored),
 * then its pools, then the store.
 */
final class LocalPrewarm implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalPrewarm.class);

  private final Storage storage;
  private final ThreadPools pools;
  private final Fetchers fetchers;
  private final Map<String, String> defaultRoots;

  private LocalPrewarm(Storage storage, ThreadPools pools, Fetchers fetchers, Map<String, String> defaultRoots) {
    this.storage = storage;
    this.pools = pools;
    this.fetchers = fetchers;
    this.defaultRoots = defaultRoots;
  }

  /**
   * The chain over {@code storage} (owned from here: closed with this) for the repositories of
   * {@code config} named in {@code named}; a name the configuration lacks is answered "not found"
   * per entry, as the admin route does.
   */
  static LocalPrewarm open(ReproxConfig config, Set<String> named, Storage storage, Clock clock) {
    Map<String, RepositoryConfig> started = new LinkedHashMap<>();
    config.repositories().forEach((name, r) -> {
      if (named.contains(name)) {
        started.put(name, r);
      }
    });
    ThreadPools pools = ThreadPools.of(config.threads());
    try {
      Fetchers fetchers = Fetchers.builder().config(config).repositories(List.copyOf(started.values()))
          .storage(storage).storageExecutor(pools.storage()).pools(pools).clock(clock).build();
      Map<String, String> roots = new LinkedHashMap<>();
      started.values().forEach(r -> roots.put(r.name(), PrewarmCommand.defaultRoot(r.format())));
      log.info("prewarm: store open, repositories {} started ({} of {} configured)", started.keySet(),
          started.size(), config.repositories().size());
      return new LocalPrewarm(storage, pools, fetchers, Map.copyOf(roots));
    } catch (RuntimeException e) {
      pools.close();
      storage.close();
      throw e;
    }
  }

  /** The repositories this chain started: those the lockfiles name and the configuration has. */
  Set<String> repositories() {
    return fetchers.formats().keySet();
  }

  /** One entry made present; every failure is an answer (never a failed future). */
  CompletableFuture<PrewarmSummary.Answer> send(LockEntry e) {
    if (!defaultRoots.containsKey(e.repo())) {
      return answer(PrewarmSummary.Row.NOT_FOUND, "unknown repository \"" + e.repo() + "\"");
    }
    String root = e.root() != null ? e.root() : defaultRoots.get(e.repo());
    CompletableFuture<Prewarm.Result> result;
    try {
      checkPath(root);
      if (e.named() != null) {
        LockEntry.Named n = e.named();
        if (!n.name().matches("[a-z0-9][a-z0-9+.-]*") || !n.arch().matches("[a-z0-9-]+")) {
          throw new IllegalArgumentException("name must be a Debian package name, with version and arch");
        }
        result = fetchers.prewarmNamed(e.repo(), root, e.at(), n.name(), n.version(), n.arch());
      } else {
        checkPath(e.path());
        if (e.sha256() == null && e.q1() == null) {
          throw new IllegalArgumentException("sha256 or q1 is required");
        }
        String g = e.generation();
        Digest generation = g == null ? null : Digest.sha256(g.startsWith("sha256:") ? g.substring(7) : g);
        result = fetchers.prewarm(e.repo(), root, e.at(), e.path(), generation,
            e.sha256() == null ? null : Digest.sha256(e.sha256()), e.q1(), e.size());
      }
    } catch (IllegalArgumentException x) {
      return answer(PrewarmSummary.Row.UPSTREAM_FAILURE, "bad entry: " + x.getMessage());
    }
    return result.handle((r, x) -> x != null
        ? new PrewarmSummary.Answer(PrewarmSummary.Row.UPSTREAM_FAILURE, String.valueOf(x.getMessage()))
        : new PrewarmSummary.Answer(PrewarmSummary.Row.valueOf(r.outcome().name()),
            r.message() == null ? "" : r.message()));
  }

  private static CompletableFuture<PrewarmSummary.Answer> answer(PrewarmSummary.Row row, String message) {
    return CompletableFuture.completedFuture(new PrewarmSummary.Answer(row, message));
  }

  /**
   * The admin route's path rules (its request path parser) for a path that never passes through
   * one here: no dot or empty segments, no backslash, no control, space or raw non-ASCII
   * character, no percent-encoded dot, slash, backslash or control character. Debian's
   * {@code %3a} (an epoch's colon in a pool file name) passes.
   */
  static void checkPath(String path) {
    if (path == null || path.isEmpty() || path.length() > 4096 || path.startsWith("/")) {
      throw new IllegalArgumentException("path must be relative, 1 to 4096 characters: " + path);
    }
    String[] segments = path.split("/", -1);
    for (int s = 0; s < segments.length; s++) {
      String seg = segments[s];
      if (seg.isEmpty() && s < segments.length - 1 || seg.equals(".") || seg.equals("..")) {
        throw new IllegalArgumentException("empty or dot segment in path " + path);
      }
      for (int i = 0; i < seg.length(); i++) {
        char c = seg.charAt(i);
        if (c <= 0x20 || c >= 0x7f || c == '\\') {
          throw new IllegalArgumentException("control, space, non-ASCII character or backslash in path " + path);
        }
        if (c == '%') {
          int hi = i + 2 < seg.length() ? Character.digit(seg.charAt(i + 1), 16) : -1;
          int lo = i + 2 < seg.length() ? Character.digit(seg.charAt(i + 2), 16) : -1;
          int b = hi << 4 | lo;
          if (hi < 0 || lo < 0 || b == '.' || b == '/' || b == '\\' || b < 0x20 || b == 0x7f) {
            throw new IllegalArgumentException("malformed or forbidden percent escape in path " + path);
          }
          i += 2;
        }
      }
    }
  }

  @Override
  public void close() {
    try {
      fetchers.close();
      pools.close();
    } finally {
      storage.close();
    }
  }
}
