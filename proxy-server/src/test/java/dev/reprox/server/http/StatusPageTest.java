package dev.reprox.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.upstream.HostStatus;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Generation;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Observation;
import dev.reprox.storage.Pin;
import dev.reprox.storage.StorageStats;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The status page's rendering: escaping, SVG coordinates, figures. No server. */
class StatusPageTest {
  private static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");
  private static final String HOSTILE = "<script>alert('x')</script>\"&";

  private static Generation gen(int n, Instant published, Instant lastFetched) {
    return new Generation("r", "dists/stable/InRelease",
        Digest.compute(("g" + n).getBytes(StandardCharsets.UTF_8)), published, false, published, lastFetched, "k",
        Observation.Source.LIVE);
  }

  private static StatusPage.Snapshot snapshot(List<StatusPage.Repo> repos, List<BuildLabels.Build> builds,
      List<HostStatus> hosts) {
    return new StatusPage.Snapshot(T0, false, 0, repos, builds, builds.size(),
        new StorageStats(3, 3000, 0, 0, 0, 1, 1000), 5 * 1024 * 1024, new StatusPage.Traffic(3, 1, 4096, 1024, 2048),
        hosts);
  }

  @Test
  void render_hostileLabelPathAndError_escapedEverywhere() {
    MutableClock clock = new MutableClock(T0);
    BuildLabels labels = new BuildLabels(clock, 10);
    labels.record(HOSTILE, Optional.of(T0), "r", true);
    StatusPage.Root root = new StatusPage.Root("dists/" + HOSTILE + "/InRelease",
        List.of(gen(1, T0, T0.plusSeconds(60))), 1, List.of(), 0);
    StatusPage.Repo repo = new StatusPage.Repo("r", "apt", "http://user:***@up/" + HOSTILE, "live", List.of(root), 1,
        0, 0, 0, HOSTILE);
    HostStatus host = new HostStatus("http://up:80", "open", 1, Optional.empty(), Optional.of(T0),
        Optional.of(HOSTILE));

    String html = StatusPage.render(snapshot(List.of(repo), labels.recent(), List.of(host)));

    assertThat(html).doesNotContain("<script").doesNotContain("alert('x')")
        .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;");
    assertThat(html.split("&lt;script&gt;", -1)).hasSize(1 + 5); // label, root path, upstream, repository error, host error
  }

  @Test
  void render_upstreamWithCredentialsInAnError_passwordRedacted() {
    HostStatus host = new HostStatus("https://mirror:443", "closed", 0, Optional.of(T0), Optional.of(T0),
        Optional.of("io_error: https://bob:hunter2@mirror/x"));

    String html = StatusPage.render(snapshot(List.of(), List.of(), List.of(host)));

    assertThat(html).doesNotContain("hunter2").contains("bob:***@");
  }

  @Test
  void timeline_ticksAtPublication_provenBarsCutAtNextPublication_pinMarksByStatus() {
    Instant t1 = T0;
    Instant t2 = T0.plusSeconds(1000);
    Instant t3 = T0.plusSeconds(3000);
    // g1 fetched until after g2's publication: proven [t1, t2]; g2 last fetched at t2+500: proven [t2, t2+500];
    // g3 only its own instant.
    List<Generation> gens = List.of(gen(3, t3, t3), gen(1, t1, t2.plusSeconds(200)), gen(2, t2, t2.plusSeconds(500)));
    Digest d = gens.get(1).digest();
    List<Pin> pins = List.of(new Pin("r", "root", t1.minusSeconds(1000), t1.minusSeconds(1000), d,
        Pin.Status.FIRST_USE, t3), new Pin("r", "root", t2.plusSeconds(1000), t2.plusSeconds(1500), d,
        Pin.Status.UNPROVEN, t3));

    String svg = TimelineSvg.render(gens, pins);

    // From the first-use pin (t1 - 1000) to g3 (t3): 4000 s over 760 - 2 * 12 px = 0.184 px/s.
    TimelineSvg scale = TimelineSvg.between(t1.minusSeconds(1000), t3);
    assertThat(scale.x(t1.minusSeconds(1000))).isEqualTo(12.0);
    assertThat(scale.x(t3)).isEqualTo(748.0);
    assertThat(scale.x(t1)).isEqualTo(196.0);
    assertThat(svg).contains("data-generations=\"3\"").contains("data-pins=\"2\"");
    assertThat(all(svg, "<line class=\"gen\" x1=\"([0-9.]+)\"")).containsExactly("196.0", "380.0", "748.0");
    assertThat(all(svg, "<rect class=\"proven\" x=\"([0-9.]+)\" y=\"[0-9]+\" width=\"([0-9.]+)\""))
        .containsExactly("196.0", "184.0", "380.0", "92.0", "748.0", "2.0");
    assertThat(all(svg, "<g class=\"pin (pin-[a-z-]+)\"")).containsExactly("pin-first-use", "pin-unproven");
    assertThat(svg).contains("<path d=\"M12.0 40 l-5 9 h10 z\"/>") // the first-use pin at the left edge
        .contains("<rect x=\"564.0\" y=\"41\" width=\"92.0\" height=\"3\"/>"); // the unproven range
  }

  @Test
  void render_figures_hitRatioFromCountersAndStoreLabelledHonestly() {
    String html = StatusPage.render(snapshot(List.of(), List.of(), List.of()));

    assertThat(html).contains("<dt>hit ratio</dt><dd>75.0 % (3 hits / 4)</dd>")
        .contains("<dt>blobs</dt><dd>3 (2.9 KiB)</dd>")
        .contains("<dt>bytes deduplicated since start</dt><dd>1000 B in 1 writes</dd>")
        .contains("<dt>disk used</dt><dd>5.0 MiB</dd>")
        .contains("<dt>last GC</dt><dd>never</dd>")
        .contains("<dt>bytes saved (served from the store)</dt><dd>1.0 KiB</dd>")
        .doesNotContain("since start;").doesNotContain("<script");
  }

  @Test
  void traffic_fromCounters_rootIndexesAndErrorsLeftOutOfTheHitRatio() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RequestMetrics metrics = new RequestMetrics(registry);
    metrics.record("r", "hit", "package", 200, 1000);
    metrics.record("r", "hit", "listing", 304, 1000);
    metrics.record("r", "hit", "root", 200, 1000); // a fresh root: a revalidation put off, not a hit
    metrics.record("r", "miss", "root", 200, 1000);
    metrics.record("r", "miss", "package", 200, 1000);
    metrics.record("r", "not_found", "package", 404, 1000);
    metrics.served("r", "hit", 100);
    metrics.served("r", "miss", 50);
    metrics.served("-", "none", 7);

    StatusPage.Traffic t = StatusPage.traffic(registry);

    assertThat(t.hits()).isEqualTo(2);
    assertThat(t.misses()).isEqualTo(1);
    assertThat(t.servedBytes()).isEqualTo(157);
    assertThat(t.savedBytes()).isEqualTo(100);
  }

  private static List<String> all(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    List<String> out = new java.util.ArrayList<>();
    while (m.find()) {
      for (int i = 1; i <= m.groupCount(); i++) {
        out.add(m.group(i));
      }
    }
    return out;
  }
}
