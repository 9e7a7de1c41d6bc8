package dev.reprox.server.fetch;

import dev.reprox.server.upstream.PoliteUpstream;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * Fetches a path from the repository's upstream mirror and stores it while it streams. The polite
 * layer ({@link PoliteUpstream}: per-host permits, token bucket, Retry-After, backoff, breaker,
 * remembered redirects) sends through the JDK client, which does the HTTP (it speaks https to
 * mirrors such as dl-cdn.alpinelinux.org); the body goes to a {@link Fill}, which asks for a bounded window of pieces ahead of the store. 200 starts a fill, 404/410 is
 * {@code NOT_FOUND}, anything else is {@code UPSTREAM_STATUS} naming the status. A cut body with
 * an expected digest is asked for again through the same polite layer ({@link Fill.Resumer}).
 */
public final class UpstreamFetcher implements Fetcher, AutoCloseable {
  private final PoliteUpstream client;
  private final Storage storage;
  private final Executor storageExecutor;
  private final ScheduledExecutorService timer;
  private final Clock clock;
  private final Duration headerTimeout;
  private final Duration idleTimeout;
  private final Set<Fill> fills = ConcurrentHashMap.newKeySet();
  private final IntegrityListener integrity;
  private final Consumer<FetchRequest> resumed;

  UpstreamFetcher(PoliteUpstream client, Storage storage, Executor storageExecutor,
      ScheduledExecutorService timer, Clock clock, Duration headerTimeout, Duration idleTimeout,
      IntegrityListener integrity) {
    this(client, storage, storageExecutor, timer, clock, headerTimeout, idleTimeout, integrity, r -> { });
  }

  /** {@code resumed} hears of each resumption of a cut body (metric {@code reprox_fill_resumed_total}). */
  UpstreamFetcher(PoliteUpstream client, Storage storage, Executor storageExecutor,
      ScheduledExecutorService timer, Clock clock, Duration headerTimeout, Duration idleTimeout,
      IntegrityListener integrity, Consumer<FetchRequest> resumed) {
    this.resumed = resumed;
    this.integrity = integrity;
    this.client = client;
    this.storage = storage;
    this.storageExecutor = storageExecutor;
    this.timer = timer;
    this.clock = clock;
    this.headerTimeout = headerTimeout;
    this.idleTimeout = idleTimeout;
  }

  @Override
  public CompletableFuture<Fetched> fetch(FetchRequest request) {
    return get(client, request, headerTimeout, (uri, info, result) -> onHeaders(request, uri, info, result));
  }

  /** Turns an upstream answer's head into the subscriber of its body; completes {@code result}. */
  interface OnHeaders {
    HttpResponse.BodySubscriber<Void> apply(URI finalUri, HttpResponse.ResponseInfo info,
        CompletableFuture<Fetched> result);
  }

  /**
   * GETs {@code request}'s upstream URL through the polite layer: {@code onHeaders} handles the
   * answer; a failure before it did becomes the result's {@link FetchException}.
   */
  static CompletableFuture<Fetched> get(PoliteUpstream client, FetchRequest request, Duration headerTimeout,
      OnHeaders onHeaders) {
    URI uri = upstreamUri(request);
    CompletableFuture<Fetched> result = new CompletableFuture<>();
    HttpRequest upstreamRequest = HttpRequest.newBuilder(uri)
        .GET()
        .timeout(headerTimeout)
        .header("User-Agent", "reprox/0.1")
        .build();
    client.sendResolved(upstreamRequest, (finalUri, info) -> onHeaders.apply(finalUri, info, result))
        .whenComplete((response, error) -> {
          if (error != null && !result.isDone()) {
            result.completeExceptionally(PoliteUpstreams.failure("fetch " + request, uri, error));
          }
        });
    return result;
  }

  private HttpResponse.BodySubscriber<Void> onHeaders(FetchRequest request, URI uri,
      HttpResponse.ResponseInfo info, CompletableFuture<Fetched> result) {
    FetchException refused = statusFailure(request, uri, info.statusCode());
    if (refused != null) {
      result.completeExceptionally(refused);
      return HttpResponse.BodySubscribers.discarding();
    }
    BlobWriter writer;
    try {
      writer = FormatCheckedWriter.wrap(request, storage.blobs().newWriter(), storage.aliases());
    } catch (IOException | RuntimeException e) {
      result.completeExceptionally(new FetchException(FetchException.Kind.STORAGE,
          "fetch " + request + ": cannot start a blob write: " + e.getMessage(), e));
      return HttpResponse.BodySubscribers.discarding();
    }
    long length = info.headers().firstValueAsLong("content-length").orElse(-1L);
    FetchRequest.Expected expected = request.expected();
    if (expected != null && expected.size() >= 0 && length >= 0 && length != expected.size()) {
      writer.cancel();
      integrity.failed(request, "length");
      result.completeExceptionally(new FetchException(FetchException.Kind.INTEGRITY, "fetch " + request
          + ": upstream " + uri + " sends " + length + " bytes, the signed index says " + expected.size()));
      return HttpResponse.BodySubscribers.discarding();
    }
    Fill fill = new Fill(request, writer, length, storage, storageExecutor, clock, timer, idleTimeout);
    fill.integrity(integrity);
    // Same URL as the first request (not the redirect target): the polite layer remembers that.
    HttpRequest again = HttpRequest.newBuilder(upstreamUri(request)).GET().timeout(headerTimeout)
        .header("User-Agent", "reprox/0.1").build();
    fill.resumeWith(handler -> client.sendResolved(again, (finalUri, i) -> handler.apply(i)),
        () -> resumed.accept(request));
    fills.add(fill);
    fill.settled().whenComplete((v, e) -> fills.remove(fill));
    result.complete(fill);
    return fill;
  }

  /** Null for a 200; 404/410 is {@code NOT_FOUND} (remembered by {@link MissFetcher}), the rest {@code UPSTREAM_STATUS}. */
  static FetchException statusFailure(FetchRequest request, URI uri, int status) {
    if (status == 200) {
      return null;
    }
    return new FetchException(status == 404 || status == 410 ? FetchException.Kind.NOT_FOUND
        : FetchException.Kind.UPSTREAM_STATUS, "fetch " + request + ": upstream " + uri + " answered " + status);
  }

  /** The upstream base URL, a slash, and the path with each segment percent-encoded again. */
  public static URI upstreamUri(FetchRequest request) {
    URI base = request.base() != null ? request.base() : request.repository().upstream();
    StringBuilder sb = new StringBuilder(base.toString());
    if (sb.length() > 0 && sb.charAt(sb.length() - 1) == '/') {
      sb.setLength(sb.length() - 1);
    }
    for (String segment : request.path().split("/", -1)) {
      sb.append('/');
      encodeSegment(segment, sb);
    }
    return URI.create(sb.toString());
  }

  private static void encodeSegment(String segment, StringBuilder sb) {
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "-._~+:@=,!$&'()*;".indexOf(c) >= 0;
      if (keep) {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
  }

  /** Cancels every fill in progress; at shutdown, before the store closes. */
  @Override
  public void close() {
    for (Fill fill : fills) {
      fill.abandon("server shutting down");
    }
  }
}
