package dev.reprox.server.fetch;

import dev.reprox.server.upstream.PoliteUpstream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * GETs a path of a repository without a keyring that its format does not classify ({@code OTHER})
 * and relays the body to the one client that asked, storing nothing ({@link Relayed}): such a
 * repository would otherwise store every arbitrary path anyone asks for. Same polite layer (permits,
 * rate, breaker, min-rate) and status mapping as {@link UpstreamFetcher}; no single flight, since
 * a relayed body has one reader.
 */
final class RelayFetcher implements Fetcher, AutoCloseable {
  private final PoliteUpstream client;
  private final ScheduledExecutorService timer;
  private final Clock clock;
  private final Duration headerTimeout;
  private final Duration idleTimeout;
  private final Set<Relayed> running = ConcurrentHashMap.newKeySet();

  RelayFetcher(PoliteUpstream client, ScheduledExecutorService timer, Clock clock, Duration headerTimeout,
      Duration idleTimeout) {
    this.client = client;
    this.timer = timer;
    this.clock = clock;
    this.headerTimeout = headerTimeout;
    this.idleTimeout = idleTimeout;
  }

  @Override
  public CompletableFuture<Fetched> fetch(FetchRequest request) {
    return UpstreamFetcher.get(client, request, headerTimeout,
        (uri, info, result) -> onHeaders(request, uri, info, result));
  }

  private HttpResponse.BodySubscriber<Void> onHeaders(FetchRequest request, URI uri, HttpResponse.ResponseInfo info,
      CompletableFuture<Fetched> result) {
    FetchException refused = UpstreamFetcher.statusFailure(request, uri, info.statusCode());
    if (refused != null) {
      result.completeExceptionally(refused);
      return HttpResponse.BodySubscribers.discarding();
    }
    long length = info.headers().firstValueAsLong("content-length").orElse(-1L);
    Relayed relayed = new Relayed(request, length, clock, timer, idleTimeout);
    running.add(relayed);
    relayed.settled().whenComplete((v, e) -> running.remove(relayed));
    result.complete(relayed);
    return relayed;
  }

  /** Cuts every relay in progress; at shutdown. */
  @Override
  public void close() {
    for (Relayed r : running) {
      r.fail(new java.io.IOException("server shutting down"));
    }
  }
}
