package dev.reprox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprox.storage.MutableClock;
import dev.reprox.testkit.apt.AptClient;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.apt.CommandResult;
import dev.reprox.testkit.http.StaticServer;
import dev.reprox.server.testing.CapturedLog;
import dev.reprox.server.testing.InProcessReprox;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a build sees when an answer at T is not proven or is refused (issue 9): the reason phrase
 * apt prints, one WARN line per (repository, root, T), {@code reprox_pins_total}, and the build
 * record of its label.
 */
class PinVisibilityIT {
  private static final Instant T1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final String AT_T1 = "@20240301T010000Z";
  private static final Instant BEFORE_G1 = Instant.parse("2024-02-01T00:00:00Z");

  @TempDir
  Path tmp;

  @Test
  void aptGet_strictAndUnprovenT_aptPrintsTheReasonPhrase() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).add("foo", "1.0");
    repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    try (StaticServer upstream = StaticServer.serve(repo.root());
        InProcessReprox reprox = InProcessReprox.withConfig(tmp.resolve("reprox"), yaml(upstream.baseUri(), keyring, true),
            new MutableClock(Instant.now()))) {
      AptClient apt = AptClient.builder(tmp.resolve("apt")).keyring(keyring)
          .source(reprox.base().resolve("fix/@20240201T000000Z/"), "stable", "main", "check-valid-until=no")
          .timeout(Duration.ofSeconds(60)).build();

      CommandResult update = apt.tryUpdate();

      assertThat(update.output()).as(update.describe()).containsPattern("503\\s+Not proven at T \\(strict\\)");
      assertThat(reprox.get("metrics").body()).asString()
          .containsPattern("reprox_pins_total\\{[^}]*repo=\"fix\"[^}]*status=\"refused\"[^}]*\\} [1-9]");
    }
  }

  @Test
  void aptGet_labelledBuildBeforeFirstGeneration_oneWarnCountedAndInBuildRecord() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).acquireByHash(true).add("foo", "1.0");
    AptGeneration g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    try (StaticServer upstream = StaticServer.serve(repo.root());
        InProcessReprox reprox = InProcessReprox.withConfig(tmp.resolve("reprox"), yaml(upstream.baseUri(), keyring, false),
            new MutableClock(Instant.now()));
        CapturedLog log = new CapturedLog(Class.forName("dev.reprox.server.fetch.PinReporter"))) {
      URI proxy = reprox.proxyUri(BEFORE_G1.getEpochSecond() + ":ci-9");
      for (String name : new String[] {"a", "b"}) {
        AptClient apt = AptClient.builder(tmp.resolve("apt-" + name)).keyring(keyring)
            .source(upstream.baseUri(), "stable", "main", "check-valid-until=no").proxy(proxy)
            .timeout(Duration.ofSeconds(60)).build();
        apt.update();
        assertThat(apt.downloadOnly("foo")).hasSize(1);
      }

      // Many requests (two updates, two downloads) consulted the one pin: one line.
      assertThat(log.warnings()).singleElement().satisfies(line -> assertThat(line)
          .startsWith("pin fix dists/stable/InRelease @20240201T000000Z: serving first-use generation sha256:"
              + g1.inReleaseSha256() + " published 2024-03-01T00:00:00Z: no generation published at or before T")
          .contains("no snapshot server configured"));
      String metrics = new String(reprox.get("metrics").body(), StandardCharsets.UTF_8);
      assertThat(metrics).containsPattern(
          "reprox_pins_total\\{[^}]*repo=\"fix\"[^}]*status=\"first-use\"[^}]*\\} ([4-9]|[1-9][0-9]+)\\.0");
      JsonNode build = new ObjectMapper().readTree(reprox.get("-/api/builds").body()).get("builds").get(0);
      assertThat(build.get("label").asText()).isEqualTo("ci-9");
      assertThat(build.get("worstPin").asText()).isEqualTo("first-use");
      assertThat(build.get("notProven")).extracting(JsonNode::asText).containsExactly("fix/dists/stable/InRelease");
    }
  }

  @Test
  void statusLines_notInGeneration404_offline503_integrity502_carryAReason() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).add("foo", "1.0");
    repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    MutableClock clock = new MutableClock(Instant.now());
    try (StaticServer upstream = StaticServer.serve(repo.root());
        InProcessReprox reprox = InProcessReprox.withConfig(tmp.resolve("reprox"), yaml(upstream.baseUri(), keyring, false)
            + "  off:\n    format: apt\n    upstream: " + upstream.baseUri().toString().replaceAll("/$", "")
            + "/off\n    keyring: " + keyring + "\n    offline: true\n", clock);
        CapturedLog rootsLog = new CapturedLog(Class.forName("dev.reprox.server.trust.Roots"))) {
      int port = reprox.server.address().getPort();
      assertThat(statusLine(port, "fix/" + AT_T1 + "/dists/stable/InRelease")).isEqualTo("HTTP/1.1 200 OK");

      assertThat(statusLine(port, "fix/" + AT_T1 + "/dists/stable/main/binary-amd64/Packages.bz2"))
          .isEqualTo("HTTP/1.1 404 Not in the generation at T");
      assertThat(statusLine(port, "off/" + AT_T1 + "/dists/stable/InRelease"))
          .isEqualTo("HTTP/1.1 503 Offline and not stored");

      repo.tamper("dists/stable/InRelease");
      clock.advance(Duration.ofMinutes(2)); // past root-ttl: the live root is fetched again, and fails
      assertThat(statusLine(port, "fix/dists/stable/InRelease")).isEqualTo("HTTP/1.1 502 Integrity check failed");
      assertThat(rootsLog.warnings()).anySatisfy(line -> assertThat(line)
          .startsWith("integrity: verify root fix/dists/stable/InRelease"));
    }
  }

  private static String statusLine(int port, String path) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(60_000);
      socket.getOutputStream().write(("GET /" + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
    }
  }

  private static String yaml(URI upstream, Path keyring, boolean strict) {
    return "repositories:\n  fix:\n    format: apt\n    upstream: " + upstream.toString().replaceAll("/$", "")
        + "\n    keyring: " + keyring + "\n    root-ttl: 60s\n" + (strict ? "    pinning: strict\n" : "");
  }
}
