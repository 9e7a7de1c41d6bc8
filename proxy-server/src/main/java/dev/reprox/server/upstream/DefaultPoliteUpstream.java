package dev.reprox.server.upstream;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/** Holds what is shared by all requests; each {@link #send} is one {@link PoliteCall}. */
final class DefaultPoliteUpstream implements PoliteUpstream {
  private final HttpClient client;
  /** Clients like {@link #client} but for a shorter connect timeout, one per timeout in use. */
  private final ConcurrentHashMap<Duration, HttpClient> shortConnect = new ConcurrentHashMap<>();
  final Clock clock;
  final RedirectMemory memory;
  final int maxRedirects;
  final UpstreamAuth auth;
  private final ScheduledExecutorService scheduler;
  private final MeterRegistry registry;
  private final HostPolicy defaultPolicy;
  private final Map<String, HostPolicy> policies;
  private final Set<String> redirectHosts;
  private final RandomGenerator random;
  private final ConcurrentHashMap<String, HostGate> gates = new ConcurrentHashMap<>();

  DefaultPoliteUpstream(HttpClient client, ScheduledExecutorService scheduler, Clock clock,
      MeterRegistry registry, HostPolicy defaultPolicy, Map<String, HostPolicy> policies,
      Set<String> redirectHosts, int maxRedirects, RedirectMemory memory, RandomGenerator random,
      UpstreamAuth auth) {
    this.client = client;
    this.scheduler = scheduler;
    this.clock = clock;
    this.registry = registry;
    this.defaultPolicy = defaultPolicy;
    this.policies = policies;
    this.redirectHosts = redirectHosts;
    this.maxRedirects = maxRedirects;
    this.memory = memory;
    this.random = random;
    this.auth = auth;
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendResolved(HttpRequest request,
      ResolvedBodyHandler<T> handler) {
    PoliteCall<T> call = new PoliteCall<>(this, request, handler);
    call.start();
    return call.result();
  }

  @Override
  public HostPolicy policy(URI uri) {
    return policies.getOrDefault(HostGate.originOf(uri), defaultPolicy);
  }

  @Override
  public java.util.List<HostStatus> hosts() {
    return gates.values().stream().map(HostGate::status)
        .sorted(java.util.Comparator.comparing(HostStatus::origin)).toList();
  }

  /**
   * The client for a host with {@code policy}: the given one, or, when the policy's connect
   * timeout is shorter than the client's, a sibling with the same executor, version, proxy, TLS
   * and authenticator and that timeout (the JDK client has no per-request connect timeout).
   */
  HttpClient client(HostPolicy policy) {
    Duration wanted = policy.connectTimeout();
    if (wanted.isZero() || client.connectTimeout().map(t -> t.compareTo(wanted) <= 0).orElse(false)) {
      return client;
    }
    return shortConnect.computeIfAbsent(wanted, t -> {
      HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(t).version(client.version())
          .followRedirects(client.followRedirects()).sslContext(client.sslContext())
          .sslParameters(client.sslParameters());
      client.executor().ifPresent(b::executor);
      client.proxy().ifPresent(b::proxy);
      client.authenticator().ifPresent(b::authenticator);
      client.cookieHandler().ifPresent(b::cookieHandler);
      return b.build();
    });
  }

  HostGate gate(URI uri) {
    String origin = HostGate.originOf(uri);
    return gates.computeIfAbsent(origin,
        o -> new HostGate(o, policies.getOrDefault(o, defaultPolicy), clock, registry));
  }

  /** Same host as the one asked, or a host configured as a redirect target; http(s) only. */
  boolean redirectAllowed(URI from, URI to) {
    String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || to.getHost() == null) {
      return false;
    }
    return HostGate.originOf(from).equals(HostGate.originOf(to))
        || redirectHosts.contains(to.getHost().toLowerCase(Locale.ROOT));
  }

  /**
   * Backoff for the n-th retry (n ≥ 1): uniformly random between the base and a ceiling that
   * doubles each retry (capped at the max). Full jitter above a floor: a retry never comes
   * sooner than the base, and retries of many requests do not fall into step.
   */
  long backoffMillis(HostPolicy policy, int n) {
    long base = policy.backoffBase().toMillis();
    long max = policy.backoffMax().toMillis();
    long ceiling = base << Math.min(n, 30);
    ceiling = ceiling <= 0 || ceiling > max ? max : ceiling;
    return base + (ceiling > base ? random.nextLong(ceiling - base + 1) : 0);
  }

  /** Runs {@code check} every {@code periodMillis}; null when the scheduler refuses (closing). */
  Future<?> every(Runnable check, long periodMillis) {
    try {
      return scheduler.scheduleWithFixedDelay(check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  /** Runs {@code step} after {@code millis}; if the scheduler refuses, runs {@code refused}. */
  void schedule(Runnable step, long millis, Runnable refused) {
    try {
      scheduler.schedule(step, Math.max(0, millis), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      refused.run();
    }
  }
}
