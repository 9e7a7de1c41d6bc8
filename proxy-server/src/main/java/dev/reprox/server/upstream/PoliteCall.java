package dev.reprox.server.upstream;

import dev.reprox.server.upstream.HeadVerdict.Next;
import dev.reprox.server.upstream.UpstreamUnavailableException.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link PoliteUpstream#send}: a loop of attempts, each one breaker → permit → token (and
 * host pause) → send. The response head decides: final (hand it to the caller's handler, commit),
 * redirect (follow, not a retry), or retryable (discard the body, release the permit, wait,
 * again). Steps run on the scheduler, never on a thread that waits. What a head means is
 * {@link HeadVerdict}'s; how a final body is watched, {@link FinalBody}'s.
 *
 * <p>Over 250 lines: the attempt loop is one state machine whose steps (gate, send, head, end,
 * retry, redirect, failure) share the attempt's state on whichever thread runs the step; split,
 * that state would travel between classes.
 */
final class PoliteCall<T> {
  private static final Logger log = LoggerFactory.getLogger(PoliteCall.class);

  private final DefaultPoliteUpstream up;
  private final HttpRequest request;
  private final PoliteUpstream.ResolvedBodyHandler<T> handler;
  private final URI original;
  private final CompletableFuture<HttpResponse<T>> result = new CompletableFuture<>();
  // Confined to one attempt at a time: each attempt starts only after the previous one ended.
  private URI current;
  private boolean viaMemory;
  private int hops;
  private int retries;
  private HostGate gate;
  private long waitStartMillis;
  private volatile Next next;
  private volatile int status;
  private volatile URI location;
  private volatile Duration retryAfter;
  private volatile String reason;
  private volatile Throwable lastError;

  PoliteCall(DefaultPoliteUpstream up, HttpRequest request, PoliteUpstream.ResolvedBodyHandler<T> handler) {
    this.up = up;
    this.request = request;
    this.handler = handler;
    this.original = request.uri();
  }

  CompletableFuture<HttpResponse<T>> result() {
    return result;
  }

  void start() {
    Optional<URI> remembered = up.memory.target(original);
    current = remembered.orElse(original);
    viaMemory = remembered.isPresent();
    attempt();
  }

  private void attempt() {
    gate = up.gate(current);
    if (!gate.breaker.tryPass()) {
      gate.outcome("breaker_open");
      fail(Kind.BREAKER_OPEN, "breaker open for " + gate.origin + " after repeated failures", null);
      return;
    }
    waitStartMillis = up.clock.millis();
    HostGate g = gate;
    g.permits.acquire().whenComplete((v, e) -> {
      // Runs on whichever thread released the permit: take the token here, send from the scheduler.
      Lease lease = new Lease(g.permits);
      up.schedule(() -> send(lease), g.delayBeforeSend(), () -> refused(lease));
    });
  }

  private void refused(Lease lease) {
    lease.release();
    gate.breaker.onAbandoned();
    fail(Kind.CLOSED, "scheduler refused the next step", null);
  }

  private void send(Lease lease) {
    gate.recordWait(up.clock.millis() - waitStartMillis);
    Optional<String> authorization = up.auth.authorization(current);
    HttpRequest hop;
    if (current.equals(request.uri()) && authorization.isEmpty()) {
      hop = request;
    } else {
      // Credentials are added per hop, for the host of this hop only: a redirect elsewhere drops them.
      HttpRequest.Builder b = HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase("authorization"))
          .uri(current);
      authorization.ifPresent(a -> b.header("Authorization", a));
      hop = b.build();
    }
    next = null;
    try {
      up.client(gate.policy).sendAsync(hop, info -> onHeaders(info, lease))
          .whenComplete((response, error) -> onDone(response, error, lease));
    } catch (RuntimeException e) {
      lease.release();
      gate.breaker.onAbandoned();
      result.completeExceptionally(e);
    }
  }

  /** Runs on a client thread with the response head; decides, and only a final head commits. */
  private HttpResponse.BodySubscriber<T> onHeaders(HttpResponse.ResponseInfo info, Lease lease) {
    int s = info.statusCode();
    status = s;
    lastError = null;
    HeadVerdict v = HeadVerdict.of(s, info.headers(), current, viaMemory, up.clock.instant());
    v.breaker().tell(gate.breaker);
    gate.outcome(v.outcome(), v.detail());
    if (v.reason() != null) {
      reason = v.reason();
    }
    retryAfter = v.retryAfter();
    location = v.location();
    next = v.next();
    if (v.next() != Next.FINAL) {
      return HttpResponse.BodySubscribers.replacing(null);
    }
    if (s >= 400 && s != 404 && s != 410) {
      // Not retried and not the host being down, but no answer either: e.g. 401/403 of a private
      // mirror whose credentials are wrong. Missing files (404/410) are normal and not logged.
      log.warn("upstream failure: {} {} answered {}", request.method(), current, s);
    }
    if (s < 300 && !current.equals(original)) {
      up.memory.remember(original, current);
    }
    HttpResponse.BodySubscriber<T> body;
    try {
      body = handler.apply(current, info);
    } catch (RuntimeException | Error e) {
      lease.release();
      throw e;
    }
    return FinalBody.guard(body, lease, gate, request.method(), current, up);
  }

  private void onDone(HttpResponse<T> response, Throwable error, Lease lease) {
    Next n = next;
    if (n == Next.FINAL) {
      if (error != null) {
        if (lease.release() && gate != null) {
          // The body failed without its subscriber hearing of it first: still the host's failure.
          gate.breaker.onFailure();
          gate.outcome(unwrap(error) instanceof UpstreamTooSlowException ? "too_slow" : "body_error");
          log.warn("upstream failure: {} {}: body failed: {}", request.method(), current, unwrap(error).toString());
        }
        result.completeExceptionally(unwrap(error));
      } else {
        result.complete(response);
      }
      return;
    }
    lease.release(); // an intermediate body was discarded, or no head came at all
    if (error != null && n == null) {
      onTransportError(unwrap(error));
      return;
    }
    if (error != null) {
      // The head was read but discarding its body failed: the exchange is still retryable.
      reason = "io_error";
      n = Next.RETRY;
    }
    switch (n) {
      case REDIRECT -> followRedirect();
      case FORGET -> {
        up.memory.forget(original);
        current = original;
        viaMemory = false;
        attempt();
      }
      case RETRY_AFTER -> {
        long ms = retryAfter.toMillis();
        if (retryAfter.compareTo(gate.policy.maxRetryAfter()) > 0) {
          fail(Kind.RETRY_AFTER_TOO_LONG, "answered " + status + " with Retry-After " + retryAfter.toSeconds()
              + " s, more than the allowed " + gate.policy.maxRetryAfter().toSeconds() + " s", null);
          return;
        }
        gate.pauseFor(ms);
        retryAfter(ms);
      }
      default -> retryAfter(up.backoffMillis(gate.policy, retries + 1));
    }
  }

  private void onTransportError(Throwable cause) {
    if (!(cause instanceof IOException)) {
      gate.breaker.onAbandoned();
      result.completeExceptionally(cause); // not the host's fault: a bad request, a bug
      return;
    }
    status = 0;
    boolean connect = isConnectFailure(cause);
    if (connect) {
      reason = "connect_error";
    } else if (cause instanceof HttpTimeoutException) {
      reason = "timeout";
    } else {
      reason = "io_error";
    }
    gate.outcome(reason, cause.getClass().getSimpleName());
    lastError = cause;
    if (connect && gate.policy.connectFailFast()) {
      // One short attempt per breaker window: the breaker's opening is this failure's one WARN
      // line, and the live root (or a later probe) is the next chance, not a retry in seconds.
      gate.breaker.openNow("connect to it failed (" + cause.getClass().getSimpleName() + ")");
      failQuietly(Kind.RETRIES_EXHAUSTED, "connect failed, not retried: " + cause, cause);
      return;
    }
    gate.breaker.onFailure();
    retryAfter(up.backoffMillis(gate.policy, retries + 1));
  }

  /**
   * Refused, timed out or unresolvable: the JDK client reports an unresolvable host as a bare
   * ConnectException (its cause an UnresolvedAddressException), a refused port likewise.
   */
  private static boolean isConnectFailure(Throwable cause) {
    return cause instanceof HttpConnectTimeoutException || cause instanceof ConnectException
        || cause instanceof java.net.UnknownHostException || cause instanceof java.net.NoRouteToHostException;
  }

  private void retryAfter(long delayMillis) {
    if (retries >= gate.policy.maxRetries()) {
      fail(Kind.RETRIES_EXHAUSTED, "gave up after " + (retries + 1) + " attempts, last: "
          + (status > 0 ? "status " + status : String.valueOf(lastError)), lastError);
      return;
    }
    retries++;
    gate.retry(reason);
    up.schedule(this::attempt, delayMillis,
        () -> fail(Kind.CLOSED, "scheduler refused the retry", lastError));
  }

  private void followRedirect() {
    URI target = location;
    if (++hops > up.maxRedirects) {
      fail(Kind.TOO_MANY_REDIRECTS, "more than " + up.maxRedirects + " redirects, last to " + target, null);
      return;
    }
    if (!up.redirectAllowed(current, target)) {
      fail(Kind.REDIRECT_REFUSED, "redirect to " + target + " refused: not the same host and not an allowed one", null);
      return;
    }
    current = target;
    viaMemory = false;
    attempt();
  }

  /** As {@link #fail}, at DEBUG: the breaker's opening already said it in one WARN line. */
  private void failQuietly(Kind kind, String why, Throwable cause) {
    UpstreamUnavailableException e = failure(kind, why, cause);
    log.debug("upstream failure: {}", e.getMessage());
    result.completeExceptionally(e);
  }

  private UpstreamUnavailableException failure(Kind kind, String why, Throwable cause) {
    return new UpstreamUnavailableException(kind, current, status,
        request.method() + " " + original + (current.equals(original) ? "" : " (at " + current + ")")
            + ": " + why, cause);
  }

  private void fail(Kind kind, String why, Throwable cause) {
    UpstreamUnavailableException e = failure(kind, why, cause);
    if (kind == Kind.BREAKER_OPEN) {
      // The breaker's opening was one WARN line; each request it turns away is not another.
      log.debug("upstream failure: {}", e.getMessage());
    } else {
      log.warn("upstream failure: {}", e.getMessage());
    }
    result.completeExceptionally(e);
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
