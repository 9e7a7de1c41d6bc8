package dev.reprox.server.upstream;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A WireMock playing snapshot.debian.org, a scheduler, a client and a meter registry; and
 * readings of WireMock's request journal. Journal dates are whole milliseconds of the moment the
 * server read a request, before any stubbed delay — which is what makes the bounds below exact.
 */
final class SnapshotServerFixture implements AutoCloseable {
  final WireMockServer server;
  final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, r -> {
    Thread t = new Thread(r, "test-upstream-scheduler");
    t.setDaemon(true);
    return t;
  });
  final HttpClient client = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER)
      .version(HttpClient.Version.HTTP_1_1)
      .build();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  /** One server per test class (starting and stopping Jetty per test costs a second each): {@link PerClass}. */
  SnapshotServerFixture(WireMockServer server) {
    this.server = server;
    server.resetAll();
  }

  static WireMockServer startServer() {
    WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().containerThreads(40).jettyStopTimeout(0L));
    server.start();
    return server;
  }

  URI base() {
    return URI.create("http://localhost:" + server.port());
  }

  PoliteUpstream upstream(HostPolicy policy, Clock clock) {
    return PoliteUpstream.builder().client(client).scheduler(scheduler).clock(clock)
        .meterRegistry(registry).policy(base(), policy).build();
  }

  HttpRequest get(String path) {
    return HttpRequest.newBuilder(base().resolve(path)).GET().build();
  }

  /** Journal dates (ms) of requests to {@code path}, oldest first; all requests for null. */
  List<Long> received(String path) {
    return server.getAllServeEvents().stream()
        .filter(e -> path == null || e.getRequest().getUrl().equals(path))
        .map(e -> e.getRequest().getLoggedDate().getTime())
        .sorted()
        .toList();
  }

  /**
   * The most requests the server held at once, when each is held for {@code heldMillis} after
   * it was read (a stubbed fixed delay). A client that sends the next request only after a
   * response arrived cannot make two such intervals [date, date + held) of one slot overlap,
   * even with millisecond truncation.
   */
  static int maxOverlap(List<Long> dates, long heldMillis) {
    int max = 0;
    for (long start : dates) {
      int inside = 0;
      for (long other : dates) {
        if (other <= start && start < other + heldMillis) {
          inside++;
        }
      }
      max = Math.max(max, inside);
    }
    return max;
  }

  double counter(String name, String tagKey, String tagValue) {
    var c = registry.find(name).tag(tagKey, tagValue).counter();
    return c == null ? 0 : c.count();
  }

  double gauge(String name) {
    var g = registry.find(name).gauge();
    return g == null ? Double.NaN : g.value();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }

  /**
   * A test class's WireMock ({@code @RegisterExtension static}), started before its first test and
   * stopped after its last; {@link #fixture} gives each test (a field initializer) a fixture on it,
   * closed after that test.
   */
  static final class PerClass implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    private final List<SnapshotServerFixture> open = new CopyOnWriteArrayList<>();
    private WireMockServer server;

    SnapshotServerFixture fixture() {
      SnapshotServerFixture fixture = new SnapshotServerFixture(server);
      open.add(fixture);
      return fixture;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
      server = startServer();
    }

    @Override
    public void afterEach(ExtensionContext context) {
      open.forEach(SnapshotServerFixture::close);
      open.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
      if (server != null) {
        server.stop();
      }
    }
  }
}
