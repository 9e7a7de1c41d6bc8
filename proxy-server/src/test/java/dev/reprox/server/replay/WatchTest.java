package dev.reprox.server.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprox.pinning.TimeSpec;
import dev.reprox.server.fetch.Watches;
import dev.reprox.server.testing.CapturedLog;
import dev.reprox.storage.MutableClock;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import dev.reprox.server.testing.InProcessReprox;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code watch:} on a real server with no client traffic: the test holds the watch's tick and
 * runs it after moving the clock past the interval (no real waiting), while the testkit's signed
 * apt repository publishes generations behind a static server that answers conditional GETs.
 */
class WatchTest {
  static final String ROOT = "dists/stable/InRelease";
  static final String PACKAGES = "dists/stable/main/binary-amd64/Packages.gz";
  static final String BY_HASH = "dists/stable/main/binary-amd64/by-hash/SHA256/";
  static final Instant NOW = Instant.parse("2024-03-10T00:00:00Z");
  static final Duration ROUND = Duration.ofMinutes(11); // past interval (10m) plus the most jitter (1m)
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(NOW);
  private final AtomicReference<Runnable> tick = new AtomicReference<>();
  private AptRepoBuilder repo;
  private StaticServer upstream;
  private InProcessReprox reprox;

  @BeforeEach
  void start() throws Exception {
    repo = AptRepoBuilder.in(tmp.resolve("www")).date(NOW.minus(Duration.ofHours(1))).add("foo", "1.0");
    repo.publish();
    upstream = StaticServer.serve(tmp.resolve("www"), clock).honourConditionals();
    reprox = reprox("roots: [" + ROOT + "]\n      interval: 10m\n      listings: true");
  }

  private InProcessReprox reprox(String watch) throws Exception {
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    String u = upstream.baseUri().toString().replaceAll("/$", "");
    return new InProcessReprox(tmp.resolve("reprox"), "  fix:\n    format: apt\n    upstream: " + u
        + "\n    keyring: " + keyring + "\n    root-ttl: 60s\n    watch:\n      " + watch + "\n"
        + "upstreams:\n  \"" + u + "\":\n    retries: 0\n", clock,
        b -> b.watchScheduler(t -> {
          tick.set(t);
          return () -> { };
        }));
  }

  @AfterEach
  void stop() {
    reprox.close();
    upstream.close();
  }

  /** One watch round: the clock moves past the next due time, then the held tick runs (here, synchronously). */
  private void round() {
    clock.advance(ROUND);
    tick.get().run();
  }

  private JsonNode api(String path) throws Exception {
    HttpResponse<byte[]> r = reprox.get(path);
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private String status(Instant t) throws Exception {
    return api("-/api/repos/fix/resolve?root=" + URLEncoder.encode(ROOT, StandardCharsets.UTF_8) + "&at="
        + TimeSpec.format(t)).get("status").asText();
  }

  private List<Integer> rootStatuses() {
    return upstream.requestsFor(ROOT).stream().map(StaticServer.Request::status).toList();
  }

  @Test
  void watch_noClientTraffic_everyTProvenButBetweenFetches_andListingsNeedNoUpstream() throws Exception {
    Instant published1 = repo.current().date();
    assertThat(status(NOW)).isEqualTo("no-generation"); // nothing observed before the watch runs

    AptGeneration g1 = repo.current();
    round(); // +11m: g1, a plain GET (no validators yet), and its Packages.gz by hash
    round(); // +22m: a 304, an observation of g1
    Instant lastSeen1 = clock.instant();
    Instant published2 = lastSeen1.plus(Duration.ofMinutes(3));
    AptGeneration g2 = repo.date(published2).add("bar", "2.0").publish();
    round(); // +33m: g2, and its Packages.gz by hash
    round(); // +44m: a 304
    Instant end = clock.instant();

    assertThat(rootStatuses()).containsExactly(200, 304, 200, 304);
    // One per generation, fetched by the watch as the locate step fetches: the gzip variant, by hash.
    assertThat(upstream.requestsFor(BY_HASH + g1.file(PACKAGES).sha256())).hasSize(1);
    assertThat(upstream.requestsFor(BY_HASH + g2.file(PACKAGES).sha256())).hasSize(1);
    assertThat(upstream.requestsEndingWith("Packages.xz")).isEmpty();
    assertThat(upstream.requestsFor(PACKAGES)).isEmpty();
    assertThat(upstream.requestsEndingWith(".deb")).isEmpty(); // metadata only
    List<Instant> unproven = new ArrayList<>();
    for (Instant t = published1; !t.isAfter(end); t = t.plus(Duration.ofMinutes(1))) {
      if (!status(t).equals("proven")) {
        unproven.add(t);
      }
    }
    // Only the T after the last sight of g1 and before g2's publication: g1 was not seen current
    // then, and another generation could have come and gone; the coverage API names that gap.
    assertThat(unproven).containsExactly(lastSeen1.plus(Duration.ofMinutes(1)), lastSeen1.plus(Duration.ofMinutes(2)));
    JsonNode coverage = api("-/api/coverage?repo=fix").get("roots").get(0);
    assertThat(coverage.get("root").asText()).isEqualTo(ROOT);
    assertThat(coverage.get("watched").asBoolean()).isTrue();
    assertThat(coverage.get("proven")).hasSize(2);
    assertThat(coverage.get("proven").get(0).get("from").asText()).isEqualTo(published1.toString());
    assertThat(coverage.get("proven").get(1).get("to").asText()).isEqualTo(end.toString());
    assertThat(coverage.get("gaps")).hasSize(1);
    JsonNode gap = coverage.get("gaps").get(0);
    assertThat(gap.get("from").asText()).isEqualTo(lastSeen1.toString());
    assertThat(gap.get("to").asText()).isEqualTo(published2.toString());
    assertThat(gap.get("reason").asText()).isEqualTo("between_fetches");

    // The index chain at a watched T needs no upstream: the root and the listing are stored.
    upstream.stop();
    Instant t = end.minus(Duration.ofMinutes(5));
    HttpResponse<byte[]> listing = reprox.get("fix/@" + TimeSpec.format(t) + "/" + PACKAGES);
    assertThat(listing.statusCode()).isEqualTo(200);
    assertThat(listing.headers().firstValue("X-Reprox-Pin")).hasValue("proven");
    assertThat(listing.body()).isEqualTo(java.nio.file.Files.readAllBytes(g2.resolve(PACKAGES)));
  }

  @Test
  void watch_upstreamOutage_isACoverageGap_loggedOnce_andInMetrics() throws Exception {
    try (CapturedLog log = new CapturedLog(Watches.class)) {
      round(); // +11m: g1
      Instant lastSeen1 = clock.instant();
      upstream.stop();
      round(); // +22m: fails
      round(); // +33m: fails
      Instant published2 = clock.instant().plus(Duration.ofMinutes(2));
      repo.date(published2).add("bar", "2.0").publish();
      round(); // +44m: fails
      assertThat(new String(reprox.get("-/").body(), StandardCharsets.UTF_8))
          .contains("<span class=\"watch\">watched, failing since " + lastSeen1.plus(ROUND));
      upstream.start();
      round(); // +55m: g2
      Instant end = clock.instant();

      assertThat(log.warnings()).filteredOn(l -> l.contains("watch of fix/" + ROOT + " failed")).hasSize(1);
      assertThat(log.lines(ch.qos.logback.classic.Level.INFO)).filteredOn(l -> l.contains("recovered")).hasSize(1);
      JsonNode coverage = api("-/api/coverage?repo=fix&root=" + URLEncoder.encode(ROOT, StandardCharsets.UTF_8))
          .get("roots").get(0);
      assertThat(coverage.get("gaps")).hasSize(1);
      JsonNode gap = coverage.get("gaps").get(0);
      assertThat(gap.get("from").asText()).isEqualTo(lastSeen1.toString());
      assertThat(gap.get("to").asText()).isEqualTo(published2.toString());
      assertThat(gap.get("reason").asText()).isEqualTo("upstream_failed");
      assertThat(gap.get("message").asText()).contains(lastSeen1.plus(ROUND).toString());
      assertThat(coverage.get("lastWatchSuccess").asText()).isEqualTo(end.toString());
      assertThat(status(lastSeen1.plus(ROUND))).isEqualTo("unproven");
      assertThat(status(published2)).isEqualTo("proven");
      assertThat(new String(reprox.get("-/").body(), StandardCharsets.UTF_8))
          .contains("<span class=\"watch\">watched, last success " + end + "</span>");

      String metrics = reprox.metrics();
      assertThat(metric(metrics, "reprox_watch_checks_total{", "result=\"failed\"")).isEqualTo(3.0);
      assertThat(metric(metrics, "reprox_watch_checks_total{", "result=\"new_generation\"")).isEqualTo(2.0);
      assertThat(metric(metrics, "reprox_root_last_success_seconds{", "repo=\"fix\"")).isEqualTo(end.getEpochSecond());
    }
  }

  @Test
  void watch_seen_followsEveryRootOnceRequested_conditionallyAfterTheClientsGet() throws Exception {
    reprox.close();
    tick.set(null);
    reprox = reprox("roots: seen");
    round();
    assertThat(upstream.requests()).isEmpty(); // nothing seen yet: nothing watched

    assertThat(reprox.get("fix/" + ROOT).statusCode()).isEqualTo(200); // a client's request: seen
    round();
    round();

    // The client's GET (no validators), then the watch: conditional both times, 304 both times.
    assertThat(rootStatuses()).containsExactly(200, 304, 304);
    // listings: false (the default)
    assertThat(upstream.requestsFor(BY_HASH + repo.current().file(PACKAGES).sha256())).isEmpty();
    assertThat(upstream.requestsEndingWith("Packages.gz")).isEmpty();
    assertThat(status(clock.instant())).isEqualTo("proven");
  }

  @Test
  void watch_rootThatIsNoRootIndex_isNotWatched() throws Exception {
    reprox.close();
    tick.set(null);
    try (CapturedLog log = new CapturedLog(Watches.class)) {
      reprox = reprox("roots: [" + PACKAGES + "]");

      assertThat(log.lines(ch.qos.logback.classic.Level.ERROR)).anyMatch(l -> l.contains(PACKAGES)
          && l.contains("not a root index"));
    }
    assertThat(tick.get()).isNull(); // no root left to watch: the scheduler is never started
    assertThat(upstream.requests()).isEmpty();
  }

  @Test
  void coverage_badParameters_answerJsonErrors() throws Exception {
    assertThat(reprox.get("-/api/coverage").statusCode()).isEqualTo(400);
    assertThat(reprox.get("-/api/coverage?repo=nope").statusCode()).isEqualTo(404);
    assertThat(reprox.get("-/api/coverage?repo=fix&root=" + URLEncoder.encode("../x/InRelease", StandardCharsets.UTF_8))
        .statusCode()).isEqualTo(400);
    JsonNode empty = api("-/api/coverage?repo=fix");
    assertThat(empty.get("roots")).isEmpty();
    assertThat(upstream.requests()).isEmpty();
  }

  /** The value of the one sample of {@code name} whose labels contain {@code label}. */
  private static double metric(String metrics, String name, String label) {
    List<String> lines = metrics.lines().filter(l -> l.startsWith(name) && l.contains(label)).toList();
    assertThat(lines).as(name + " " + label).hasSize(1);
    String line = lines.get(0);
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }
}
