package dev.reprox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.MutableClock;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import dev.reprox.server.testing.InProcessReprox;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser (issue 13): Debian's headless Chromium loads {@code /} (which
 * redirects to {@code /-/}) of a reprox with recorded history — three generations of a signed apt
 * repository, requests at a proven, an unproven and a first-use T, a labelled forward-mode build,
 * a package MISS then HIT — and its DOM ({@code --dump-dom}) must show every section and the
 * figures those requests caused. A screenshot goes to {@code target/status-page.png} for people
 * to look at. Chromium missing is a failure, not a skip: {@code .ci/run} installs it.
 */
class StatusPageIT {
  private static final String ROOT = "dists/stable/InRelease";
  private static final Instant G1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final Instant G2 = Instant.parse("2024-03-02T00:00:00Z");
  private static final Instant G3 = Instant.parse("2024-03-03T00:00:00Z");
  private static final String PROVEN_T = "@20240301T060000Z";
  private static final String UNPROVEN_T = "@20240302T180000Z";
  private static final long FIRST_USE_T = Instant.parse("2024-02-20T00:00:00Z").getEpochSecond();
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  @TempDir
  Path tmp;

  @Test
  void chromium_statusPageOfARecordedHistory_showsSectionsTimelineBuildAndFigures() throws Exception {
    assertThat(Files.isExecutable(CHROMIUM))
        .as("Debian's chromium is required (apt-get install chromium; .ci/run installs it)").isTrue();
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(G1).add("foo", "1.0");
    AptGeneration g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    try (StaticServer upstream = StaticServer.serve(repo.root());
        InProcessReprox reprox = InProcessReprox.withConfig(tmp.resolve("reprox"), "repositories:\n  fix:\n    format: apt\n"
            + "    upstream: " + upstream.baseUri().toString().replaceAll("/$", "") + "\n    keyring: " + keyring
            + "\n    root-ttl: 60s\n", new MutableClock(G1.plus(Duration.ofHours(12))))) {
      int port = reprox.server.address().getPort();
      String upstreamUrl = upstream.baseUri().toString().replaceAll("/$", "");
      // g1 observed at 12:00, then asked for at 06:00 (proven).
      assertThat(reprox.get("fix/" + ROOT).statusCode()).isEqualTo(200);
      assertThat(reprox.get("fix/" + PROVEN_T + "/" + ROOT).statusCode()).isEqualTo(200);
      // A labelled build at a T before any generation: first-use; its listing and package are MISSes...
      String user = FIRST_USE_T + ":ci-42";
      assertThat(viaProxy(port, upstreamUrl + "/" + ROOT, user)).isEqualTo("HTTP/1.1 200 OK");
      assertThat(viaProxy(port, upstreamUrl + "/dists/stable/main/binary-amd64/Packages.gz", user))
          .isEqualTo("HTTP/1.1 200 OK");
      String deb = g1.deb("foo").poolPath();
      assertThat(viaProxy(port, upstreamUrl + "/" + deb, user)).isEqualTo("HTTP/1.1 200 OK");
      // ... and the same package again, directly, a HIT.
      HttpResponse<byte[]> hit = reprox.get("fix/@" + FIRST_USE_T + "/" + deb);
      assertThat(hit.headers().firstValue("X-Reprox-Cache")).hasValue("HIT");
      // Two more generations, each observed twelve hours after its publication.
      repo.date(G2).add("bar", "1.0").publish();
      reprox.clock.set(G2.plus(Duration.ofHours(12)));
      assertThat(reprox.get("fix/" + ROOT).statusCode()).isEqualTo(200);
      repo.date(G3).add("baz", "1.0").publish();
      reprox.clock.set(G3.plus(Duration.ofHours(12)));
      assertThat(reprox.get("fix/" + ROOT).statusCode()).isEqualTo(200);
      // After g2's last fetch, before g3's publication: unproven.
      HttpResponse<byte[]> unproven = reprox.get("fix/" + UNPROVEN_T + "/" + ROOT);
      assertThat(unproven.headers().firstValue("X-Reprox-Pin")).hasValue("unproven");
      HttpResponse<byte[]> bare = reprox.get("");
      assertThat(bare.statusCode()).isEqualTo(302);
      assertThat(bare.headers().firstValue("Location")).hasValue("/-/");

      String dom = chromium(tmp.resolve("profile"), "--dump-dom", reprox.base().toString());
      Path screenshot = Path.of("target", "status-page.png").toAbsolutePath();
      Files.deleteIfExists(screenshot);
      chromium(tmp.resolve("profile-shot"), "--screenshot=" + screenshot, "--window-size=1280,1600",
          reprox.base().resolve("-/").toString());

      assertThat(dom).contains("<title>reprox status</title>");
      for (String section : List.of("repositories", "builds", "store", "traffic", "upstreams")) {
        assertThat(dom).contains("<section id=\"" + section + "\">");
      }
      assertThat(dom).contains("<code>" + ROOT + "</code>").contains("3 generations, 3 pins")
          .contains("data-generations=\"3\"");
      assertThat(count(dom, "<line class=\"gen\"")).isEqualTo(3);
      assertThat(count(dom, "<rect class=\"proven\"")).isEqualTo(3); // each generation's first 12 hours
      assertThat(count(dom, "<g class=\"pin pin-proven\"")).isEqualTo(1);
      assertThat(count(dom, "<g class=\"pin pin-unproven\"")).isEqualTo(1);
      assertThat(count(dom, "<g class=\"pin pin-first-use\"")).isEqualTo(1);
      assertThat(dom).contains("<span class=\"unproven-count warn\">1 unproven</span>")
          .contains("<span class=\"first-use-count bad\">1 first-use</span>");
      assertThat(dom).containsPattern(Pattern.compile("<tr class=\"build\"><td class=\"label\">ci-42</td>"
          + "<td>2024-02-20T00:00:00Z</td><td><span class=\"status status-first-use\">first-use</span></td>"
          + "<td class=\"num\">1</td><td class=\"num\">3</td><td>fix</td>"));
      // A listing MISS, a package MISS and a HIT; the six root answers are not counted.
      assertThat(dom).contains("<dt>hit ratio</dt><dd>33.3 % (1 hits / 3)</dd>")
          .contains("<dt>last GC</dt><dd>never</dd>")
          .containsPattern("<dt>disk used</dt><dd>[0-9.]+ (B|KiB|MiB)</dd>") // reprox_store_disk_bytes
          .containsPattern("<dt>blobs</dt><dd>[1-9][0-9]* \\(")
          .containsPattern("<dt>bytes saved \\(served from the store\\)</dt><dd>[1-9]");
      assertThat(dom).contains("<code>" + upstreamUrl.replace("localhost", "127.0.0.1") + "</code>")
          .containsPattern("<span class=\"breaker breaker-closed\">closed</span></td><td class=\"num\">0</td>"
              + "<td>2024-03-03 12:00:00Z</td><td>none</td>");
      assertThat(screenshot).isNotEmptyFile();
    }
  }

  /** A forward-mode GET of {@code url} with a build label; the status line, after reading the whole response. */
  private static String viaProxy(int port, String url, String user) throws IOException {
    URI u = URI.create(url);
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(60_000);
      socket.getOutputStream().write(("GET " + url + " HTTP/1.1\r\nHost: " + u.getAuthority()
          + "\r\nProxy-Authorization: Basic " + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8))
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      return response.substring(0, response.indexOf("\r\n"));
    }
  }

  /** Runs headless Chromium with {@code args}; its stdout. Fails on a non-zero exit or after two minutes. */
  private static String chromium(Path profile, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(profile.getParent(), "chromium", ".out");
    Path err = Files.createTempFile(profile.getParent(), "chromium", ".err");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish in 120 s: " + Files.readString(err));
    }
    assertThat(p.exitValue()).as("chromium %s: %s", args[0], Files.readString(err)).isZero();
    return Files.readString(out);
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
