package dev.reprox.server.fetch;

import dev.reprox.config.RepositoryConfig;
import dev.reprox.config.ReproxConfig;
import dev.reprox.config.UpstreamConfig;
import dev.reprox.server.upstream.HostPolicy;
import dev.reprox.server.upstream.PoliteUpstream;
import dev.reprox.server.upstream.UpstreamTooSlowException;
import dev.reprox.server.upstream.UpstreamUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Maps the configuration onto the polite upstream layer (DESIGN §6) and its failures onto fetch
 * kinds. Snapshot servers start from {@link HostPolicy#snapshotServer()}, every other host from
 * {@link HostPolicy#mirror()}; an {@code upstreams."<origin>"} entry overrides single fields.
 * Failures: breaker open, a Retry-After longer than allowed, or a closed layer are 503 (try again
 * later); retries used up are 502, or 504 when the last attempt timed out; refused redirects 502; a
 * body cut for trickling below the host's {@code min-rate} is 504 (the upstream did not deliver in time).
 */
public final class PoliteUpstreams {
  private PoliteUpstreams() {}

  static PoliteUpstream build(HttpClient neverRedirects, ScheduledExecutorService scheduler, Clock clock,
      MeterRegistry registry, ReproxConfig config) {
    PoliteUpstream.Builder b = PoliteUpstream.builder().client(neverRedirects).scheduler(scheduler).clock(clock)
        .meterRegistry(registry == null ? new SimpleMeterRegistry() : registry)
        .defaultPolicy(HostPolicy.mirror());
    if (config == null) {
      return b.build();
    }
    Map<String, UpstreamConfig> overrides = config.upstreams();
    Set<String> snapshotOrigins = new HashSet<>();
    for (RepositoryConfig r : config.repositories().values()) {
      r.snapshot().ifPresent(s -> {
        snapshotOrigins.add(origin(s));
        b.policy(s, overlay(HostPolicy.snapshotServer(), overrides.get(origin(s))));
      });
    }
    for (RepositoryConfig r : config.repositories().values()) {
      String o = origin(r.upstream());
      if (!snapshotOrigins.contains(o)) {
        b.policy(r.upstream(), overlay(HostPolicy.mirror(), overrides.get(o)));
      }
    }
    for (RepositoryConfig r : config.repositories().values()) {
      r.upstreamCredentials().ifPresent(c -> b.credentials(r.upstream(), c.authorization()));
      r.snapshot().ifPresent(s -> r.snapshotCredentials().ifPresent(c -> b.credentials(s, c.authorization())));
    }
    for (UpstreamConfig u : overrides.values()) {
      if (!snapshotOrigins.contains(u.origin())) {
        b.policy(URI.create(u.origin()), overlay(HostPolicy.mirror(), u));
      }
    }
    return b.build();
  }

  /** {@code scheme://host[:port]} as {@link UpstreamConfig#origin()} spells it. */
  private static String origin(URI uri) {
    return uri.getScheme().toLowerCase(java.util.Locale.ROOT) + "://" + uri.getHost().toLowerCase(java.util.Locale.ROOT)
        + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
  }

  static HostPolicy overlay(HostPolicy base, UpstreamConfig u) {
    if (u == null) {
      return base;
    }
    HostPolicy.Builder b = base.toBuilder();
    u.concurrency().ifPresent(b::concurrency);
    u.rate().ifPresent(b::ratePerSecond);
    u.burst().ifPresent(b::burst);
    u.retries().ifPresent(b::maxRetries);
    b.backoff(u.backoff().orElse(base.backoffBase()), u.backoffMax().orElse(base.backoffMax()));
    u.maxRetryAfter().ifPresent(b::maxRetryAfter);
    b.breaker(u.breakerFailures().orElse(base.breakerFailures()), u.breakerCoolDown().orElse(base.breakerCoolDown()));
    b.minRate(u.minRate().orElse(base.minBytesPerSecond()), u.minRateWindow().orElse(base.minRateWindow()));
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      // e.g. backoff 40s over the default backoff-max 30s: name the setting to fix
      throw new IllegalArgumentException("upstreams." + u.origin() + ": " + e.getMessage(), e);
    }
  }

  /** The fetch failure for an upstream error; {@code operation} starts the message. */
  public static FetchException failure(String operation, URI uri, Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof FetchException f) {
      return f;
    }
    if (cause instanceof UpstreamUnavailableException u) {
      FetchException.Kind kind = switch (u.kind()) {
        case BREAKER_OPEN, RETRY_AFTER_TOO_LONG, CLOSED -> FetchException.Kind.UPSTREAM_UNAVAILABLE;
        case RETRIES_EXHAUSTED -> u.getCause() instanceof HttpTimeoutException ? FetchException.Kind.UPSTREAM_TIMEOUT
            : u.lastStatus().isPresent() ? FetchException.Kind.UPSTREAM_STATUS : FetchException.Kind.UPSTREAM_UNREACHABLE;
        case REDIRECT_REFUSED, TOO_MANY_REDIRECTS -> FetchException.Kind.UPSTREAM_STATUS;
      };
      return new FetchException(kind, operation + ": upstream " + uri + ": " + u.getMessage(), u);
    }
    if (cause instanceof UpstreamTooSlowException) {
      return new FetchException(FetchException.Kind.UPSTREAM_TIMEOUT, operation + ": upstream " + uri + ": "
          + cause.getMessage(), cause);
    }
    if (cause instanceof HttpTimeoutException) {
      return new FetchException(FetchException.Kind.UPSTREAM_TIMEOUT,
          operation + ": upstream " + uri + " did not answer within the header timeout", cause);
    }
    return new FetchException(FetchException.Kind.UPSTREAM_UNREACHABLE,
        operation + ": upstream " + uri + " failed: " + cause, cause);
  }
}
