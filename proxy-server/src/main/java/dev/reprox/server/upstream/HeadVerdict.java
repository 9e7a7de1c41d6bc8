package dev.reprox.server.upstream;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What one response head means for a {@link PoliteCall}: the next step (hand the body over,
 * follow, retry, forget a remembered redirect), what it tells the host's breaker, and the outcome
 * recorded for the host. The status policy only; the call carries it out.
 *
 * @param reason why a retry happens (the retry counter's tag); null when none does
 * @param retryAfter the wait the head asked for ({@link Next#RETRY_AFTER}); else null
 * @param location the redirect's resolved target ({@link Next#REDIRECT}); else null
 */
record HeadVerdict(Next next, Breaker breaker, String outcome, String detail, String reason, Duration retryAfter,
    URI location) {
  /** The call's next step. */
  enum Next { FINAL, REDIRECT, RETRY_AFTER, RETRY, FORGET }

  /** What the head tells the host's breaker. */
  enum Breaker {
    SUCCESS, FAILURE,
    /** Busy is not broken: a half-open probe gives its place back. */
    ABANDONED;

    void tell(CircuitBreaker b) {
      switch (this) {
        case SUCCESS -> b.onSuccess();
        case FAILURE -> b.onFailure();
        case ABANDONED -> b.onAbandoned();
      }
    }
  }

  /**
   * The verdict on status {@code s} with {@code headers}, for a request sent to {@code current};
   * {@code viaMemory}: {@code current} is a remembered redirect target, which a 404 or 410 makes
   * the call forget (and ask the original again).
   */
  static HeadVerdict of(int s, HttpHeaders headers, URI current, boolean viaMemory, Instant now) {
    String http = "HTTP " + s;
    URI target = isRedirect(s) ? headers.firstValue("location").map(v -> resolve(current, v)).orElse(null) : null;
    if (target != null) {
      return new HeadVerdict(Next.REDIRECT, Breaker.SUCCESS, "redirect", null, null, null, target);
    }
    Optional<Duration> wait = RetryAfter.parse(headers.firstValue("retry-after"), now);
    if (s == 429 || s == 503 && wait.isPresent()) {
      return new HeadVerdict(wait.isPresent() ? Next.RETRY_AFTER : Next.RETRY,
          s == 503 ? Breaker.FAILURE : Breaker.ABANDONED, s == 429 ? "rate_limited" : "server_error", http,
          wait.isPresent() ? "retry_after" : "rate_limited", wait.orElse(null), null);
    }
    if (s >= 500) {
      return new HeadVerdict(Next.RETRY, Breaker.FAILURE, "server_error", http, "server_error", null, null);
    }
    if (viaMemory && (s == 404 || s == 410)) {
      return new HeadVerdict(Next.FORGET, Breaker.SUCCESS, "not_found", null, null, null, null);
    }
    // A 304 answers a conditional GET (the watch): the host is fine and the bytes are unchanged.
    String outcome = s < 300 ? "ok" : s == 304 ? "not_modified" : s == 404 || s == 410 ? "not_found"
        : s < 400 ? "redirect" : "client_error";
    return new HeadVerdict(Next.FINAL, Breaker.SUCCESS, outcome, http, null, null, null);
  }

  private static URI resolve(URI current, String value) {
    try {
      return current.resolve(value.strip());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean isRedirect(int s) {
    return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
  }
}
