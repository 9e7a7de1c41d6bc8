package dev.reprox.server.fetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.config.UpstreamConfig;
import dev.reprox.server.upstream.HostPolicy;
import dev.reprox.server.upstream.PoliteUpstream;
import dev.reprox.server.upstream.UpstreamTooSlowException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config → HostPolicy, and upstream errors → fetch kinds. */
class PoliteUpstreamsTest {
  private static final URI URL = URI.create("http://snapshot.example/archive/x/InRelease");

  @Test
  void overlay_setFieldsOverrideTheBaseOthersKept() {
    UpstreamConfig u = new UpstreamConfig("http://snapshot.example", OptionalInt.of(1), OptionalDouble.empty(),
        OptionalInt.empty(), OptionalInt.of(0), Optional.empty(), Optional.of(Duration.ofSeconds(5)),
        Optional.empty(), OptionalInt.of(9), Optional.empty());

    HostPolicy p = PoliteUpstreams.overlay(HostPolicy.snapshotServer(), u);

    assertThat(p.concurrency()).isEqualTo(1);
    assertThat(p.maxRetries()).isZero();
    assertThat(p.backoffMax()).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.breakerFailures()).isEqualTo(9);
    assertThat(p.ratePerSecond()).isEqualTo(HostPolicy.snapshotServer().ratePerSecond());
    assertThat(p.breakerCoolDown()).isEqualTo(HostPolicy.snapshotServer().breakerCoolDown());
    assertThat(PoliteUpstreams.overlay(HostPolicy.mirror(), null)).isEqualTo(HostPolicy.mirror());
  }

  @Test
  void overlay_minRate_setOrOffOrKept() {
    UpstreamConfig slow = new UpstreamConfig("http://m.example", OptionalInt.empty(), OptionalDouble.empty(),
        OptionalInt.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        OptionalInt.empty(), Optional.empty(), OptionalLong.of(4096), Optional.of(Duration.ofSeconds(10)));
    UpstreamConfig off = new UpstreamConfig("http://m.example", OptionalInt.empty(), OptionalDouble.empty(),
        OptionalInt.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        OptionalInt.empty(), Optional.empty(), OptionalLong.of(0), Optional.empty());

    HostPolicy p = PoliteUpstreams.overlay(HostPolicy.mirror(), slow);
    assertThat(p.minBytesPerSecond()).isEqualTo(4096);
    assertThat(p.minRateWindow()).isEqualTo(Duration.ofSeconds(10));
    assertThat(PoliteUpstreams.overlay(HostPolicy.mirror(), off).minBytesPerSecond()).isZero();
    assertThat(HostPolicy.mirror().minBytesPerSecond()).as("on by default").isEqualTo(1024);
    assertThat(HostPolicy.snapshotServer().minRateWindow()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void failure_tooSlowBody_is504NamingTheRate() {
    FetchException slow = PoliteUpstreams.failure("fetch root d/InRelease", URL,
        new CompletionException(new UpstreamTooSlowException(URL, "body too slow, 10 B/s")));
    assertThat(slow.kind().status()).isEqualTo(504);
    assertThat(slow.getMessage()).startsWith("fetch root d/InRelease: upstream " + URL).contains("10 B/s");
  }

  @Test
  void overlay_backoffOverDefaultMax_errorNamesTheSetting() {
    UpstreamConfig u = new UpstreamConfig("http://m.example", OptionalInt.empty(), OptionalDouble.empty(),
        OptionalInt.empty(), OptionalInt.empty(), Optional.of(Duration.ofMinutes(5)), Optional.empty(),
        Optional.empty(), OptionalInt.empty(), Optional.empty());
    assertThatThrownBy(() -> PoliteUpstreams.overlay(HostPolicy.mirror(), u))
        .hasMessageStartingWith("upstreams.http://m.example: host policy: backoff");
  }

  @Test
  void failure_timeoutIs504_otherIs502_namingOperationAndUrl() {
    FetchException timeout = PoliteUpstreams.failure("fetch x", URL,
        new CompletionException(new HttpTimeoutException("slow")));
    assertThat(timeout.kind()).isEqualTo(FetchException.Kind.UPSTREAM_TIMEOUT);
    assertThat(timeout.kind().status()).isEqualTo(504);
    FetchException refused = PoliteUpstreams.failure("fetch x", URL, new ConnectException("refused"));
    assertThat(refused.kind().status()).isEqualTo(502);
    assertThat(refused.getMessage()).startsWith("fetch x: upstream " + URL);
  }

  @Test
  void build_credentialsInSnapshotAndUpstreamUrls_eachSentToItsOwnBase(@TempDir Path dir) throws Exception {
    WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort());
    server.start();
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
    try {
      server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)));
      String base = "http://127.0.0.1:" + server.port();
      Path file = dir.resolve("r.yaml");
      Files.writeString(file, "repositories:\n  priv:\n    format: apt\n"
          + "    upstream: http://mirror:pw1@127.0.0.1:" + server.port() + "/debian\n"
          + "    snapshot: http://snap:pw2@127.0.0.1:" + server.port() + "/archive/debian/\n    keyring: none\n");
      ReproxConfig config = ConfigLoader.load(Optional.of(file), Map.of(), ConfigLoader.Overrides.none());
      HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
      PoliteUpstream up = PoliteUpstreams.build(client, scheduler, Clock.systemUTC(), null, config);

      for (String path : List.of("/archive/debian/20240301T000000Z/dists/x/InRelease", "/debian/dists/x/InRelease")) {
        up.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.discarding())
            .get(10, TimeUnit.SECONDS);
      }

      server.verify(getRequestedFor(urlEqualTo("/archive/debian/20240301T000000Z/dists/x/InRelease"))
          .withHeader("Authorization", equalTo(basic("snap:pw2"))));
      server.verify(getRequestedFor(urlEqualTo("/debian/dists/x/InRelease"))
          .withHeader("Authorization", equalTo(basic("mirror:pw1"))));
    } finally {
      scheduler.shutdownNow();
      server.stop();
    }
  }

  private static String basic(String userPassword) {
    return "Basic " + Base64.getEncoder().encodeToString(userPassword.getBytes(StandardCharsets.UTF_8));
  }
}
