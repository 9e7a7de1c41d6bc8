package dev.reprox.server.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprox.server.testing.CapturedLog;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.rocks.RocksStorage;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import dev.reprox.server.testing.InProcessReprox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees of a reprox that served an apt repository: the request histogram by
 * kind and status class, build info, root freshness, disk use, bytes by cache outcome, the access
 * lines, and a Grafana dashboard (docs/grafana-dashboard.json) whose every query names a series
 * this server exposes.
 */
class ObservabilityIT {
  private static final Instant T1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final String PACKAGES = "dists/stable/main/binary-amd64/Packages.xz";
  private static final Path DASHBOARD = Path.of("..", "docs", "grafana-dashboard.json");

  @TempDir
  Path tmp;

  @Test
  void servedRepository_metricsAccessLinesAndDashboardQueries() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).acquireByHash(true)
        .add("foo", "1.0").add("bar", "1.0");
    AptGeneration g1 = repo.publish();
    repo.tamperDeb("bar");
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    MutableClock clock = new MutableClock(now);
    Path dir = tmp.resolve("reprox");
    String metrics;
    List<String> access;
    dev.reprox.storage.Storage storage = RocksStorage.builder().path(dir.resolve("data").resolve("store")).clock(clock).build();
    try (StaticServer upstream = StaticServer.serve(repo.root());
        CapturedLog log = new CapturedLog("reprox.access");
        InProcessReprox reprox = new InProcessReprox(dir, AptReplayIT.yaml(upstream.baseUri(), keyring), clock, false,
            storage)) {
      assertThat(reprox.get("fix/dists/stable/InRelease").statusCode()).isEqualTo(200); // miss
      assertThat(reprox.get("fix/dists/stable/InRelease").statusCode()).isEqualTo(200); // hit
      assertThat(reprox.get("fix/" + PACKAGES).statusCode()).isEqualTo(200);
      String foo = "fix/" + g1.deb("foo").poolPath();
      assertThat(reprox.get(foo).statusCode()).isEqualTo(200);
      // A fill's last byte goes out once its size and digest checks pass, before the store's durable
      // write: a request in that gap is a MISS again (it joins the fill). The second asks once stored.
      Digest fooDigest = Digest.sha256(g1.deb("foo").sha256());
      for (long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
          storage.blobs().stat(fooDigest).isEmpty() && System.nanoTime() < deadline; ) {
        Thread.sleep(10); // a poll on the condition, bounded by the deadline
      }
      assertThat(storage.blobs().stat(fooDigest)).as("foo stored after its first request").isPresent();
      assertThat(reprox.get(foo).statusCode()).isEqualTo(200);
      try {
        // A miss streams: its 200 went out before the body proved wrong, so the client sees a cut.
        reprox.get("fix/" + g1.deb("bar").poolPath());
        org.junit.jupiter.api.Assertions.fail("a tampered package was served whole");
      } catch (java.io.IOException expected) {
        // cut, not stored, counted below
      }
      assertThat(reprox.get("nope/x").statusCode()).isEqualTo(404);
      assertThat(reprox.get("fix/@20240301T000000Z/dists/stable/InRelease").statusCode()).isEqualTo(200);
      assertThat(reprox.get("healthz").statusCode()).isEqualTo(200);
      // The disk figure is walked off the event loop, once at start: wait for it, bounded.
      // Requests are counted when their responses have ended on the server's side: wait for the last ones.
      metrics = reprox.metricsShowing(
          "reprox_requests_seconds_count{kind=\"root\",outcome=\"hit\",repository=\"fix\",status=\"2xx\"} 2",
          "reprox_requests_seconds_count{kind=\"package\",outcome=\"hit\",repository=\"fix\",status=\"2xx\"} 1");
      for (long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
          value(metrics, "reprox_store_disk_bytes") <= 0 && System.nanoTime() < deadline; ) {
        Thread.sleep(50); // a poll on the condition, bounded by the deadline
        metrics = reprox.metrics();
      }
      access = log.lines(ch.qos.logback.classic.Level.INFO);
    }

    // Histogram: buckets from 1 ms to 60 s, tagged by kind and status class. Root hits: the second
    // live request and the request at T (its generation was stored).
    String rootMiss = "kind=\"root\",outcome=\"miss\",repository=\"fix\",status=\"2xx\"";
    assertThat(metrics)
        .contains("reprox_requests_seconds_bucket{" + rootMiss + ",le=\"0.001\"}")
        .contains("reprox_requests_seconds_bucket{" + rootMiss + ",le=\"60.0\"}")
        .contains("reprox_requests_seconds_count{kind=\"root\",outcome=\"hit\",repository=\"fix\",status=\"2xx\"} 2")
        .contains("reprox_requests_seconds_count{kind=\"listing\",outcome=\"miss\",repository=\"fix\",status=\"2xx\"} 1")
        .contains("reprox_requests_seconds_count{kind=\"package\",outcome=\"miss\",repository=\"fix\",status=\"2xx\"} 1")
        .contains("reprox_requests_seconds_count{kind=\"package\",outcome=\"hit\",repository=\"fix\",status=\"2xx\"} 1")
        .containsPattern("reprox_requests_seconds_count\\{kind=\"other\",outcome=\"unknown_repository\",repository=\"-\","
            + "status=\"4xx\"\\} 1")
        .contains("reprox_requests_seconds_count{kind=\"package\",outcome=\"aborted\",repository=\"fix\","
            + "status=\"2xx\"} 1")
        .containsPattern("reprox_build_info\\{version=\"\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\"\\} 1")
        .contains("reprox_root_last_success_seconds{repo=\"fix\",root=\"dists/stable/InRelease\"} "
            + (double) now.getEpochSecond())
        .containsPattern("reprox_integrity_failures_total\\{[^}]*repo=\"fix\"[^}]*\\} 1");
    assertThat(value(metrics, "reprox_store_disk_bytes")).isPositive();
    // Bytes saved: the package hit was read from the store.
    long debSize = g1.deb("foo").size();
    assertThat(value(metrics, "reprox_served_bytes_total{outcome=\"hit\",repository=\"fix\"}"))
        .isGreaterThanOrEqualTo(debSize);
    assertThat(value(metrics, "reprox_served_bytes_total{outcome=\"miss\",repository=\"fix\"}"))
        .isGreaterThanOrEqualTo(debSize);

    // One access line per request, health probes left out; the T and pin of a replay.
    assertThat(access).hasSize(8);
    assertThat(access.get(0)).matches("method=GET repo=fix path=dists/stable/InRelease t=- status=200 bytes=\\d+"
        + " ms=\\d+ outcome=miss cache=miss pin=live label=- mode=mirror");
    assertThat(access.get(5)).contains(" status=200 ").contains(" outcome=aborted cache=miss ");
    assertThat(access.get(6)).startsWith("method=GET repo=- path=/nope/x t=- status=404 ");
    assertThat(access.get(7)).contains(" path=dists/stable/InRelease t=2024-03-01T00:00:00Z status=200 ")
        .containsPattern(" pin=(proven|unproven|first-use) ");

    assertDashboardQueriesExposed(metrics);
  }

  /** Every metric name in every query of the dashboard is a series family on /metrics. */
  private static void assertDashboardQueriesExposed(String metrics) throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
    List<String> queries = new ArrayList<>();
    collect(dashboard, queries);
    assertThat(queries).hasSizeGreaterThan(10);
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("\\breprox_[a-z0-9_]+").matcher(String.join("\n", queries));
    while (m.find()) {
      names.add(m.group());
    }
    assertThat(names).contains("reprox_requests_seconds_bucket", "reprox_build_info", "reprox_store_disk_bytes",
        "reprox_root_last_success_seconds", "reprox_pins_total");
    for (String name : names) {
      assertThat(metrics).as("dashboard series %s on /metrics", name).containsPattern("(?m)^" + name + "[{ ]");
    }
  }

  /** The PromQL of panels ({@code expr}) and of template variables ({@code query}, {@code definition}). */
  private static void collect(JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> {
        if (e.getValue().isTextual() && Set.of("expr", "query", "definition").contains(e.getKey())) {
          out.add(e.getValue().asText());
        } else {
          collect(e.getValue(), out);
        }
      });
    } else if (node.isArray()) {
      node.forEach(child -> collect(child, out));
    }
  }

  /** The sample {@code series} (name and labels as written), or -1 when absent. */
  private static double value(String metrics, String series) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return -1;
  }
}
