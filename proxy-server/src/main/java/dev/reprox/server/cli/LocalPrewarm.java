package dev.reprox.server.cli;

import dev.reprox.config.RepositoryConfig;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.ThreadPools;
import dev.reprox.server.fetch.Fetchers;
import dev.reprox.server.fetch.Prewarm;
import dev.reprox.server.http.PrewarmEntry;
import dev.reprox.server.lock.LockEntry;
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
      // The admin route's own parser: both accept and refuse the same entries.
      result = PrewarmEntry.parse(e.repo(), field -> field(e, root, field)).run(fetchers);
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

  /** {@code e}'s value of the admin route's field {@code name}, null when it has none. */
  private static String field(LockEntry e, String root, String name) {
    LockEntry.Named n = e.named();
    return switch (name) {
      case "root" -> root;
      case "at" -> Long.toString(e.at().getEpochSecond());
      case "path" -> e.path();
      case "name" -> n == null ? null : n.name();
      case "version" -> n == null ? null : n.version();
      case "arch" -> n == null ? null : n.arch();
      case "generation" -> e.generation();
      case "sha256" -> e.sha256();
      case "q1" -> e.q1();
      case "size" -> e.size() >= 0 ? Long.toString(e.size()) : null;
      default -> null; // "repo": the entry's own, given to parse
    };
  }

  /** The admin route's path rules, for a path that never passes through a request here. */
  static void checkPath(String path) {
    PrewarmEntry.checkPath(path);
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
