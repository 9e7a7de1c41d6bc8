package dev.reprox.server.fetch;

import dev.reprox.storage.Storage;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The one place the live pass-through is assembled. A request travels:
 *
 * <ol>
 *   <li>{@link StoredFetcher}: a ref names a blob the store has → serve it (hit);
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

  private Fetchers(Fetcher live, UpstreamFetcher upstream, ScheduledExecutorService timer) {
    this.live = live;
    this.upstream = upstream;
    this.timer = timer;
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
    HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(headerTimeout)
        .build();
    UpstreamFetcher upstream =
        new UpstreamFetcher(client, storage, storageExecutor, timer, clock, headerTimeout, idleTimeout);
    Fetcher live = new StoredFetcher(storage, storageExecutor,
        new OfflineFetcher(offline,
            new SingleFlightFetcher(upstream)));
    return new Fetchers(live, upstream, timer);
  }

  /** The live pass-through chain. */
  public Fetcher fetcher() {
    return live;
  }

  /** Cancels running fills (nothing half-written is stored) and stops the fill timer. */
  @Override
  public void close() {
    upstream.close();
    timer.shutdownNow();
  }
}
