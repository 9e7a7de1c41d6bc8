package dev.reprox.server.forward;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.reprox.server.testing.CapturedLog;
import dev.reprox.storage.MutableClock;
import dev.reprox.server.testing.InProcessReprox;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upstream URL with {@code user:password@} (a private mirror): the credentials are sent as HTTP
 * Basic authentication to that upstream, forward mode still matches the URL a client asks without
 * them, and no page or error body shows the password.
 */
class UpstreamCredentialsIT {
  private static final String PASSWORD = "hunter2-s3cret";
  private static final String BASIC = "Basic "
      + Base64.getEncoder().encodeToString(("bob:" + PASSWORD).getBytes(StandardCharsets.UTF_8));

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
  void forwardRequestWithoutCredentials_reachesRepository_basicAuthSentUpstream() throws Exception {
    String path = "/up/indices/files/a.txt";
    upstream.stubFor(get(path).withHeader("Authorization", equalTo(BASIC))
        .willReturn(aResponse().withStatus(200).withBody("private")));
    try (InProcessReprox reprox = InProcessReprox.withConfig(tmp, yaml(), new MutableClock(Instant.now()))) {
      HttpResponse<byte[]> r = reprox.viaProxy("http://127.0.0.1:" + upstream.port() + path);

      assertThat(r.statusCode()).as(body(r)).isEqualTo(200);
      assertThat(body(r)).isEqualTo("private");
      upstream.verify(1, getRequestedFor(urlEqualTo(path)).withHeader("Authorization", equalTo(BASIC)));
    }
  }

  @Test
  void mirrorPath_basicAuthSentUpstream() throws Exception {
    String path = "/up/indices/files/b.txt";
    upstream.stubFor(get(path).willReturn(aResponse().withStatus(200).withBody("b")));
    try (InProcessReprox reprox = InProcessReprox.withConfig(tmp, yaml(), new MutableClock(Instant.now()))) {
      HttpResponse<byte[]> r = reprox.get("priv/indices/files/b.txt");

      assertThat(r.statusCode()).as(body(r)).isEqualTo(200);
      upstream.verify(1, getRequestedFor(urlEqualTo(path)).withHeader("Authorization", equalTo(BASIC)));
    }
  }

  @Test
  void upstreamFails_502BodyHasNoPassword() throws Exception {
    upstream.stubFor(get("/up/indices/files/c.txt").willReturn(aResponse().withStatus(500)));
    try (InProcessReprox reprox = InProcessReprox.withConfig(tmp, yaml(), new MutableClock(Instant.now()))) {
      HttpResponse<byte[]> r = reprox.get("priv/indices/files/c.txt");

      assertThat(r.statusCode()).isEqualTo(502);
      assertThat(body(r)).contains("127.0.0.1:" + upstream.port() + "/up/indices/files/c.txt")
          .doesNotContain(PASSWORD);
    }
  }

  @Test
  void forwardRefusal403_andStatusPage_haveNoPassword() throws Exception {
    try (InProcessReprox reprox = InProcessReprox.withConfig(tmp, yaml(), new MutableClock(Instant.now()))) {
      HttpResponse<byte[]> refused = reprox.viaProxy("http://127.0.0.1:" + upstream.port() + "/elsewhere/x");
      HttpResponse<byte[]> status = reprox.get("-/");

      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(body(refused)).contains("priv: http://127.0.0.1:" + upstream.port() + "/up")
          .doesNotContain(PASSWORD);
      assertThat(status.statusCode()).isEqualTo(200);
      assertThat(body(status)).contains("127.0.0.1:" + upstream.port() + "/up").doesNotContain(PASSWORD);
    }
  }

  @Test
  void upstreamRefusesCredentials_403_oneWarnLineWithoutPassword() throws Exception {
    upstream.stubFor(get("/up/indices/files/d.txt").willReturn(aResponse().withStatus(401)));
    try (InProcessReprox reprox = InProcessReprox.withConfig(tmp, yaml(), new MutableClock(Instant.now()));
        CapturedLog log = new CapturedLog(Class.forName("dev.reprox.server.upstream.PoliteCall"))) {
      HttpResponse<byte[]> r = reprox.get("priv/indices/files/d.txt");

      assertThat(r.statusCode()).isEqualTo(502);
      assertThat(log.warnings()).singleElement().isEqualTo("upstream failure: GET http://127.0.0.1:" + upstream.port()
          + "/up/indices/files/d.txt answered 401");
    }
  }

  private String yaml() {
    return "repositories:\n  priv:\n    format: apt\n    upstream: http://bob:" + PASSWORD + "@127.0.0.1:"
        + upstream.port() + "/up\n    keyring: none\n"
        + "upstreams:\n  \"http://127.0.0.1:" + upstream.port() + "\":\n    retries: 0\n";
  }

  private static String body(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }
}
