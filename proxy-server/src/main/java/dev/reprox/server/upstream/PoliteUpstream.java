package dev.reprox.server.upstream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.random.RandomGenerator;

/**
 * The one door to upstream hosts. {@link #send} is {@link HttpClient#sendAsync} with manners:
 * per host ({@code scheme://host:port}) it waits for a permit and a token, retries 429/5xx/connect
 * errors/timeouts with {@code Retry-After} or backoff, fails fast while the host's breaker is
 * open, and follows redirects itself (remembering where a URL ended up).
 *
 * <p>The caller's {@link HttpResponse.BodyHandler} is called once, for the final response only
 * (2xx, 3xx without a followable Location, 4xx other than 429); intermediate responses are
 * discarded. From that moment the request is committed: no retry can follow, because body bytes
 * may already be with the caller. The host's permit is held until that body completes, fails or
 * is cancelled. {@link HttpResponse#uri()} of the result is the final URL after redirects. As with
 * the JDK client, the returned future completes when the body subscriber's {@code getBody()} does.
 *
 * <p>Failures before commitment are {@link UpstreamUnavailableException}s with a kind, or the
 * client's own exception (e.g. a malformed request).
 */
public interface PoliteUpstream {

  default <T> CompletableFuture<HttpResponse<T>> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    return sendResolved(request, (finalUri, info) -> handler.apply(info));
  }

  /**
   * As {@link #send}, but the handler also learns the final URL (after redirects, or from the
   * redirect memory) when the head arrives, not only when the body is over — e.g. to record that
   * a package came from {@code /file/<sha1>}.
   */
  <T> CompletableFuture<HttpResponse<T>> sendResolved(HttpRequest request, ResolvedBodyHandler<T> handler);

  /** A body handler that is told the URL the final response came from. */
  @FunctionalInterface
  interface ResolvedBodyHandler<T> {
    HttpResponse.BodySubscriber<T> apply(URI finalUri, HttpResponse.ResponseInfo info);
  }

  /** The policy that applies to the host of {@code uri}. */
  HostPolicy policy(URI uri);

  /** Every host asked so far, by origin, for the status page. */
  default java.util.List<HostStatus> hosts() {
    return java.util.List.of();
  }

  static Builder builder() {
    return new Builder();
  }

  /** Needs a client (with {@code Redirect.NEVER}) and a scheduler; everything else has a default. */
  final class Builder {
    private HttpClient client;
    private ScheduledExecutorService scheduler;
    private Clock clock = Clock.systemUTC();
    private MeterRegistry registry = new SimpleMeterRegistry();
    private HostPolicy defaultPolicy = HostPolicy.mirror();
    private final Map<String, HostPolicy> policies = new HashMap<>();
    private final Set<String> redirectHosts = new HashSet<>();
    private final java.util.List<UpstreamAuth.Entry> credentials = new java.util.ArrayList<>();
    private int maxRedirects = 5;
    private long redirectMemory = 10_000;
    private RandomGenerator random = RandomGenerator.getDefault();

    private Builder() {}

    /** The JDK client; it must not follow redirects itself, the layer does (and remembers). */
    public Builder client(HttpClient client) {
      if (client.followRedirects() != HttpClient.Redirect.NEVER) {
        throw new IllegalArgumentException(
            "polite upstream: the HttpClient must use Redirect.NEVER, got " + client.followRedirects());
      }
      this.client = client;
      return this;
    }

    /** Runs every delay (token, backoff, Retry-After) and every step between attempts. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = registry;
      return this;
    }

    /** For hosts without their own policy; {@link HostPolicy#mirror()} unless set. */
    public Builder defaultPolicy(HostPolicy policy) {
      this.defaultPolicy = Objects.requireNonNull(policy);
      return this;
    }

    /** The policy for the host of {@code base} (scheme, host and port; the path is ignored). */
    public Builder policy(URI base, HostPolicy policy) {
      policies.put(HostGate.originOf(base), Objects.requireNonNull(policy));
      return this;
    }

    /**
     * A host that redirects may point to, besides the host that was asked (e.g. a CDN a snapshot
     * server hands files to). Anything else is refused.
     */
    public Builder allowRedirectTo(String host) {
      redirectHosts.add(host.toLowerCase(Locale.ROOT));
      return this;
    }

    /**
     * Requests to {@code base} (its origin, preferring the longest matching path) carry
     * {@code authorization} (e.g. HTTP Basic from a URL's {@code user:password@}); requests to
     * other origins, redirects to a CDN included, never do.
     */
    public Builder credentials(URI base, String authorization) {
      credentials.add(UpstreamAuth.entry(base, Objects.requireNonNull(authorization)));
      return this;
    }

    public Builder maxRedirects(int hops) {
      this.maxRedirects = hops;
      return this;
    }

    /** How many original → final URL pairs to remember. */
    public Builder redirectMemory(long entries) {
      this.redirectMemory = entries;
      return this;
    }

    /** The jitter source; tests may pass a seeded one. */
    public Builder random(RandomGenerator random) {
      this.random = random;
      return this;
    }

    public PoliteUpstream build() {
      Objects.requireNonNull(client, "polite upstream: client");
      Objects.requireNonNull(scheduler, "polite upstream: scheduler");
      return new DefaultPoliteUpstream(client, scheduler, clock, registry, defaultPolicy,
          Map.copyOf(policies), Set.copyOf(redirectHosts), maxRedirects,
          new RedirectMemory(redirectMemory), random, new UpstreamAuth(credentials));
    }
  }
}
