package dev.reprox.server.fetch;

import dev.reprox.storage.Storage;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The one place the live pass-through is assembled. A request travels:
 *
 * <ol>
 *   <li>{@link StoredFetcher}: a ref names a blob the store has and it is fresh (or the upstream
 *       cannot be asked) → serve it (hit);
 *   <li>{@link OfflineFetcher}: offline server or repository → 503, no upstream contact;
 *   <li>{@link SingleFlightFetcher}: a fill of the same path is running → share it;
 *   <li>{@link UpstreamFetcher}: GET the upstream, stream the body into a new blob, commit,
 *       write the ref (miss).
 * </ol>
 */
public final class Fetchers implements AutoCloseable {
  private final Fetcher live;
  private final UpstreamFetcher upstream;
  private final ScheduledExecutorService timer;
  private final ExecutorService upstreamExecutor;

  private Fetchers(Fetcher live, UpstreamFetcher upstream, ScheduledExecutorService timer,
      ExecutorService upstreamExecutor) {
    this.live = live;
    this.upstream = upstream;
    this.timer = timer;
    this.upstreamExecutor = upstreamExecutor;
  }

  /**
   * @param storageExecutor the bounded executor every storage call runs on
   * @param offline the server-wide offline flag
   */
  public static Fetchers live(Storage storage, Executor storageExecutor, Clock clock, boolean offline,
      Duration headerTimeout, Duration idleTimeout) {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "reprox-fill-timer");
      t.setDaemon(true);
      return t;
    });
    // The client's callbacks (response headers, body pieces) run on a few named threads rather
    // than the JDK's unbounded default pool; the real work is handed to the storage executor.
    AtomicInteger n = new AtomicInteger();
    ExecutorService upstreamExecutor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "reprox-upstream-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    HttpClient client = HttpClient.newBuilder()
        .executor(upstreamExecutor)
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(headerTimeout)
        .build();
    UpstreamFetcher upstream =
        new UpstreamFetcher(client, storage, storageExecutor, timer, clock, headerTimeout, idleTimeout);
    Fetcher live = new StoredFetcher(storage, storageExecutor, clock, offline,
        new OfflineFetcher(offline,
            new SingleFlightFetcher(upstream)));
    return new Fetchers(live, upstream, timer, upstreamExecutor);
  }

  /** The live pass-through chain. */
  public Fetcher fetcher() {
    return live;
  }

  /**
   * Abandons running fills (nothing half-written is stored; the abandon runs on the storage
   * executor, so close that after this) and stops the fill timer and the upstream threads.
   */
  @Override
  public void close() {
    upstream.close();
    timer.shutdownNow();
    upstreamExecutor.shutdown();
  }
}
