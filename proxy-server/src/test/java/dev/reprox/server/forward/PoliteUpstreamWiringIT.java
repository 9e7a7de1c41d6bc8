package dev.reprox.server.forward;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.reprox.storage.MutableClock;
import dev.reprox.server.testing.InProcessReprox;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetch path goes through the polite upstream layer: Retry-After is waited out and retried. */
class PoliteUpstreamWiringIT {
  @TempDir
  Path tmp;

  private WireMockServer upstream;

  @BeforeEach
  void start() {
    upstream = new WireMockServer(wireMockConfig().dynamicPort());
    upstream.start();
  }

  @AfterEach
  void stop() {
    upstream.stop();
  }

  @Test
  void upstream429RetryAfter1Then200_clientGets200AfterOneRetry() throws Exception {
    String path = "/up/indices/files/a.txt";
    upstream.stubFor(get(path).inScenario("busy").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1").withBody("slow down"))
        .willSetStateTo("calm"));
    upstream.stubFor(get(path).inScenario("busy").whenScenarioStateIs("calm")
        .willReturn(aResponse().withStatus(200).withBody("hello")));
    try (InProcessReprox reprox = InProcessReprox.withConfig(tmp, yaml(), new MutableClock(Instant.now()))) {
      HttpResponse<byte[]> r = reprox.viaProxy("http://127.0.0.1:" + upstream.port() + path);

      assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("hello");
      List<LoggedRequest> asked = upstream.findAll(getRequestedFor(urlEqualTo(path)));
      assertThat(asked).hasSize(2);
      Duration gap = Duration.between(asked.get(0).getLoggedDate().toInstant(), asked.get(1).getLoggedDate().toInstant());
      assertThat(gap).as("Retry-After: 1 was honoured").isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }
  }

  @Test
  void upstreamRetryAfterLongerThanAllowed_503NotRetried() throws Exception {
    String path = "/up/indices/files/b.txt";
    upstream.stubFor(get(path).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3600")));
    try (InProcessReprox reprox = InProcessReprox.withConfig(tmp, yaml(), new MutableClock(Instant.now()))) {
      HttpResponse<byte[]> r = reprox.get("fix/indices/files/b.txt");

      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("fix/indices/files/b.txt").contains("Retry-After");
      assertThat(upstream.findAll(getRequestedFor(urlEqualTo(path)))).hasSize(1);
    }
  }

  private String yaml() {
    return "repositories:\n  fix:\n    format: apt\n    upstream: http://127.0.0.1:" + upstream.port() + "/up\n"
        + "    keyring: none\n";
  }
}
