package dev.reprox.server.upstream;

import java.net.URI;
import java.net.http.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of a final response as a {@link PoliteCall} hands it to its caller: the host's permit
 * is given back when the body ends, a body cut short or trickling below the host's
 * {@code min-rate} counts against the host (breaker, outcome, one WARN line), and one below the
 * min-rate is cut ({@link MinRateSubscriber}).
 */
final class FinalBody {
  // The call's lines under the call's logger: one stream per upstream request for an operator.
  private static final Logger log = LoggerFactory.getLogger(PoliteCall.class);

  private FinalBody() {}

  /** {@code body} watched for the request {@code method} sent to {@code hop} through {@code g}. */
  static <T> HttpResponse.BodySubscriber<T> guard(HttpResponse.BodySubscriber<T> body, Lease lease, HostGate g,
      String method, URI hop, DefaultPoliteUpstream up) {
    HttpResponse.BodySubscriber<T> releasing = new ReleasingSubscriber<>(body, end -> {
      if (lease.release() && (end == ReleasingSubscriber.End.FAILED || end == ReleasingSubscriber.End.TOO_SLOW)) {
        // A body cut short (snapshot.debian.org truncates) or trickling is the host failing, too.
        g.breaker.onFailure();
        g.outcome(end == ReleasingSubscriber.End.TOO_SLOW ? "too_slow" : "body_error");
        log.warn("upstream failure: {} {}: body {}", method, hop,
            end == ReleasingSubscriber.End.TOO_SLOW ? "too slow (below min-rate), cut" : "failed before its end");
      }
    }, g::received);
    HostPolicy policy = g.policy;
    if (policy.minBytesPerSecond() <= 0) {
      return releasing;
    }
    long windowMillis = policy.minRateWindow().toMillis();
    return new MinRateSubscriber<>(releasing, new RateWindow(up.clock, policy.minBytesPerSecond(), windowMillis),
        hop, policy.minBytesPerSecond(), windowMillis, check -> up.every(check, Math.max(25, windowMillis / 4)));
  }
}
