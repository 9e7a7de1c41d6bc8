package dev.reprox.server.http;

import dev.reprox.config.BasicCredentials;
import dev.reprox.server.http.StatusPage.Repo;
import dev.reprox.server.http.StatusPage.Root;
import dev.reprox.server.http.StatusPage.Snapshot;
import dev.reprox.server.http.StatusPage.Traffic;
import dev.reprox.server.upstream.HostStatus;
import dev.reprox.storage.StorageStats;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The status page's HTML from a {@link Snapshot}: formatting only (no storage, no metrics), every
 * text that came from configuration, storage or a client escaped. Past 250 lines only by its inline
 * stylesheet ({@code CSS}, the last 60 lines: the page has no other file to load it from).
 */
final class StatusPageHtml {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private StatusPageHtml() {}

  static String render(Snapshot s) {
    StringBuilder sb = new StringBuilder(16_384);
    sb.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>reprox status</title><style>").append(CSS).append("</style></head><body>");
    sb.append("<header><h1>reprox</h1><p class=\"sub\">").append(s.offline() ? "offline" : "online").append(" · ")
        .append(Math.max(0, s.inFlight() - 1)).append(" other responses in progress · ").append(TIME.format(s.now()))
        .append(" · <a href=\"/metrics\">metrics</a> · <a href=\"/-/api/builds\">builds (JSON)</a></p></header>");
    sb.append("<main>");
    repositories(sb, s);
    builds(sb, s);
    sb.append("<div class=\"grid\">");
    store(sb, s);
    traffic(sb, s.traffic());
    sb.append("</div>");
    upstreams(sb, s.hosts());
    sb.append("</main></body></html>\n");
    return sb.toString();
  }

  private static void repositories(StringBuilder sb, Snapshot s) {
    sb.append("<section id=\"repositories\"><h2>Repositories</h2>");
    if (s.repos().isEmpty()) {
      sb.append("<p class=\"muted\">no repositories configured</p></section>");
      return;
    }
    // At a glance: one row per repository; the timelines of those with history follow.
    sb.append("<table class=\"repos\"><thead><tr><th>repository</th><th>format</th><th>mode</th><th>upstream</th>"
        + "<th class=\"num\">roots</th><th class=\"num\">proven pins</th><th class=\"num\">unproven</th>"
        + "<th class=\"num\">first-use</th></tr></thead><tbody>");
    for (Repo r : s.repos()) {
      sb.append("<tr class=\"repo-row\"><td><a href=\"#repo-").append(escape(r.name())).append("\">")
          .append(escape(r.name())).append("</a></td><td><span class=\"tag\">").append(escape(r.format()))
          .append("</span></td><td><span class=\"tag ").append(r.mode()).append("\">").append(r.mode())
          .append("</span></td><td class=\"muted url\">").append(escape(r.upstream())).append("</td><td class=\"num\">")
          .append(r.rootCount()).append("</td><td class=\"num\">").append(r.proven())
          .append("</td><td class=\"num\"><span class=\"unproven-count").append(r.unproven() > 0 ? " warn" : "")
          .append("\">").append(r.unproven()).append(" unproven</span></td><td class=\"num\"><span class=\"first-use-count")
          .append(r.firstUse() > 0 ? " bad" : "").append("\">").append(r.firstUse()).append(" first-use</span></td></tr>");
      if (r.error() != null) {
        sb.append("<tr><td colspan=\"8\" class=\"error\">").append(escape(r.name())).append(": cannot read: ")
            .append(escape(r.error())).append("</td></tr>");
      }
    }
    sb.append("</tbody></table>");
    boolean any = false;
    for (Repo r : s.repos()) {
      if (r.roots().isEmpty()) {
        continue;
      }
      if (!any) {
        sb.append("<p class=\"legend\"><span class=\"key gen\"></span>generation published "
            + "<span class=\"key proven\"></span>every T proven "
            + "<span class=\"key pin-proven\"></span>proven pin <span class=\"key pin-unproven\"></span>unproven pin "
            + "<span class=\"key pin-first-use\"></span>first-use pin</p>");
        any = true;
      }
      sb.append("<article class=\"repo\" id=\"repo-").append(escape(r.name())).append("\"><h3>")
          .append(escape(r.name())).append("</h3>");
      for (Root root : r.roots()) {
        sb.append("<div class=\"root\"><div class=\"root-head\"><code>").append(escape(root.path()))
            .append("</code> <span class=\"muted\">").append(root.generationCount()).append(" generation")
            .append(root.generationCount() == 1 ? "" : "s").append(", ").append(root.pinCount()).append(" pin")
            .append(root.pinCount() == 1 ? "" : "s");
        if (root.generations().size() < root.generationCount() || root.pins().size() < root.pinCount()) {
          sb.append(" (the latest ").append(StatusPage.MAX_GENERATIONS).append(" generations and ")
              .append(StatusPage.MAX_PINS)
              .append(" pins drawn)");
        }
        if (root.watch() != null) {
          sb.append(" · <span class=\"watch\">").append(escape(root.watch())).append("</span>");
        }
        sb.append("</span></div>").append(TimelineSvg.render(root.generations(), root.pins())).append("</div>");
      }
      if (r.rootCount() > r.roots().size()) {
        sb.append("<p class=\"muted\">").append(r.rootCount() - r.roots().size()).append(" more roots not drawn (at most ")
            .append(StatusPage.MAX_ROOTS).append(" per repository; /-/api/repos/").append(escape(r.name()))
            .append("/roots lists them)</p>");
      }
      sb.append("</article>");
    }
    if (!any) {
      sb.append("<p class=\"muted\">no root recorded yet</p>");
    }
    sb.append("</section>");
  }

  private static void builds(StringBuilder sb, Snapshot s) {
    sb.append("<section id=\"builds\"><h2>Recent builds</h2>");
    if (s.builds().isEmpty()) {
      sb.append("<p class=\"muted\">no labelled build yet (forward mode: http_proxy=http://&lt;T&gt;:&lt;label&gt;@reprox:3142)</p></section>");
      return;
    }
    sb.append("<table><thead><tr><th>label</th><th>T</th><th>worst pin</th><th>packages</th><th>requests</th>"
        + "<th>repositories</th><th>last seen</th></tr></thead><tbody>");
    for (BuildLabels.Build b : s.builds()) {
      String worst = b.worstPin() == null ? "–" : b.worstPin();
      sb.append("<tr class=\"build\"><td class=\"label\">").append(escape(b.label())).append("</td><td>")
          .append(escape(b.at())).append(b.atSeen().size() > 1 ? " <span class=\"warn\">(" + b.atSeen().size()
              + " different T)</span>" : "")
          .append("</td><td><span class=\"status status-").append(escape(worst)).append("\">").append(escape(worst))
          .append("</span></td><td class=\"num\">").append(b.packages()).append("</td><td class=\"num\">")
          .append(b.requests()).append("</td><td>").append(escape(String.join(", ", b.repositories())))
          .append("</td><td>").append(TIME.format(b.lastSeen())).append("</td></tr>");
    }
    sb.append("</tbody></table>");
    if (s.buildCount() > s.builds().size()) {
      sb.append("<p class=\"muted\">the latest ").append(s.builds().size()).append(" of ").append(s.buildCount())
          .append(" labels; all in <a href=\"/-/api/builds\">/-/api/builds</a></p>");
    }
    sb.append("</section>");
  }

  private static void store(StringBuilder sb, Snapshot s) {
    StorageStats st = s.store();
    long lookups = st.cacheHits() + st.cacheMisses();
    sb.append("<section id=\"store\"><h2>Store</h2><dl>")
        .append(figure("disk used", s.diskBytes() < 0 ? "n/a" : bytes(s.diskBytes()), "disk"))
        .append(figure("blobs", st.blobCount() + " (" + bytes(st.blobBytes()) + ")", "blobs"))
        .append(figure("bytes deduplicated since start", bytes(st.dedupBytes()) + " in " + st.dedupCommits()
            + " writes", "dedup"))
        .append(figure("last GC", s.lastGc(), "gc"))
        .append(figure("chunk cache", bytes(st.cacheBytes()) + ", hit ratio "
            + (lookups == 0 ? "n/a" : percent(st.cacheHits(), lookups)), "chunk-cache"))
        .append("</dl></section>");
  }

  private static void traffic(StringBuilder sb, Traffic t) {
    long n = t.hits() + t.misses();
    sb.append("<section id=\"traffic\"><h2>Traffic since start</h2><dl>")
        .append(figure("hit ratio", n == 0 ? "n/a" : percent(t.hits(), n) + " (" + t.hits() + " hits / " + n + ")",
            "hit-ratio"))
        .append(figure("bytes served", bytes((long) t.servedBytes()), "served"))
        .append(figure("bytes fetched upstream", bytes((long) t.upstreamBytes()), "upstream"))
        .append(figure("bytes saved (served from the store)", bytes((long) t.savedBytes()), "saved"))
        .append("</dl><p class=\"note\">hit ratio: package and listing responses served from the store; "
            + "root indexes (InRelease, APKINDEX, repomd.xml) are revalidations and not counted</p></section>");
  }

  private static void upstreams(StringBuilder sb, List<HostStatus> hosts) {
    sb.append("<section id=\"upstreams\"><h2>Upstreams</h2>");
    if (hosts.isEmpty()) {
      sb.append("<p class=\"muted\">no upstream request yet</p></section>");
      return;
    }
    sb.append("<table><thead><tr><th>host</th><th>breaker</th><th>in flight</th><th>last success</th>"
        + "<th>last error</th></tr></thead><tbody>");
    for (HostStatus h : hosts) {
      sb.append("<tr class=\"host\"><td><code>").append(escape(h.origin())).append("</code></td><td><span class=\"breaker breaker-")
          .append(escape(h.breaker())).append("\">").append(escape(h.breaker())).append("</span></td><td class=\"num\">")
          .append(h.inFlight()).append("</td><td>").append(h.lastSuccess().map(TIME::format).orElse("never"))
          .append("</td><td>");
      if (h.lastErrorAt().isPresent()) {
        sb.append(TIME.format(h.lastErrorAt().get())).append(" <span class=\"error\">")
            .append(escape(BasicCredentials.redact(h.lastError().orElse("")))).append("</span>");
      } else {
        sb.append("none");
      }
      sb.append("</td></tr>");
    }
    sb.append("</tbody></table></section>");
  }

  private static String figure(String name, String value, String id) {
    return "<div class=\"figure\" id=\"fig-" + id + "\"><dt>" + name + "</dt><dd>" + escape(value) + "</dd></div>";
  }

  static String percent(long part, long whole) {
    return String.format(Locale.ROOT, "%.1f %%", 100.0 * part / whole);
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** Text for HTML content and quoted attribute values. */
  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c < 0x20 && c != '\t' ? '\uFFFD' : c);
      }
    }
    return sb.toString();
  }

  private static final String CSS = """
      :root{--fg:#1d2330;--muted:#687086;--bg:#f5f6f8;--card:#fff;--line:#dfe2e8;--ok:#2f9e5b;--warn:#c77700;\
      --bad:#c23a3a;--accent:#3465a4}
      *{box-sizing:border-box}
      body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;\
      color:var(--fg);background:var(--bg)}
      header{background:#1d2330;color:#fff;padding:14px 28px}
      header h1{margin:0;font-size:22px;letter-spacing:.5px}
      header .sub{margin:2px 0 0;color:#c4c9d6}
      header a{color:#9ec1ff}
      main{max-width:1200px;margin:0 auto;padding:18px 28px 40px}
      section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:0 0 18px}
      h2{font-size:16px;margin:0 0 10px;text-transform:uppercase;letter-spacing:.8px;color:var(--accent)}
      h3{font-size:16px;margin:6px 0 2px}
      .grid{display:grid;grid-template-columns:1fr 1fr;gap:18px}
      .grid section{margin:0 0 18px}
      .repo{border-top:1px solid var(--line);padding:8px 0 4px;margin-top:6px}
      .legend{margin:14px 0 4px}
      .muted,.note{color:var(--muted)}
      .note{font-size:12px;margin:8px 0 0}
      .tag{font-size:11px;font-weight:600;border-radius:10px;padding:1px 8px;background:#e8ecf4;color:#334;vertical-align:middle}
      .tag.offline{background:#fdebd0;color:#8a4b00}
      .tag.live{background:#dff3e6;color:#1f6b3d}
      .pins{margin:4px 0}
      .warn{color:var(--warn);font-weight:600}
      .error,.bad{color:var(--bad);font-weight:600}
      td.url{font-size:12.5px;word-break:break-all}
      th.num{text-align:right}
      .root{margin:8px 0 10px}
      .root-head{margin-bottom:2px}
      code{font:12.5px ui-monospace,"DejaVu Sans Mono",monospace;background:#f0f2f6;padding:1px 5px;border-radius:4px}
      svg.timeline{display:block;width:100%;height:auto;background:#fafbfc;border:1px solid var(--line);border-radius:6px}
      svg .axis{stroke:#9aa3b5;stroke-width:1}
      svg .gen{stroke:#1d2330;stroke-width:2}
      svg .proven{fill:#9fd8b4}
      svg .pin-proven{fill:var(--ok)}
      svg .pin-unproven{fill:var(--warn)}
      svg .pin-first-use{fill:var(--bad)}
      svg .label{font-size:8px;fill:var(--muted)}
      .legend{font-size:12px;color:var(--muted)}
      .key{display:inline-block;width:12px;height:10px;margin:0 4px 0 12px;vertical-align:middle;border-radius:2px}
      .key.gen{width:3px;background:#1d2330}
      .key.proven{background:#9fd8b4}
      .key.pin-proven{background:var(--ok)}
      .key.pin-unproven{background:var(--warn)}
      .key.pin-first-use{background:var(--bad)}
      table{border-collapse:collapse;width:100%}
      th{text-align:left;font-size:12px;color:var(--muted);font-weight:600;border-bottom:1px solid var(--line);padding:4px 8px}
      td{border-bottom:1px solid #eef0f4;padding:5px 8px;vertical-align:top}
      td.num{text-align:right;font-variant-numeric:tabular-nums}
      td.label{font-weight:600;word-break:break-all}
      .status,.breaker{font-size:12px;font-weight:600;border-radius:10px;padding:1px 8px;background:#e8ecf4}
      .status-proven,.status-live,.breaker-closed{background:#dff3e6;color:#1f6b3d}
      .status-unproven,.breaker-half-open{background:#fdebd0;color:#8a4b00}
      .status-first-use,.breaker-open{background:#f8d7d7;color:#8f1f1f}
      dl{margin:0;display:grid;grid-template-columns:1fr 1fr;gap:10px}
      .figure{background:#f7f8fa;border-radius:6px;padding:8px 10px}
      dt{font-size:12px;color:var(--muted)}
      dd{margin:2px 0 0;font-size:18px;font-weight:600;font-variant-numeric:tabular-nums}
      @media (max-width:800px){.grid{grid-template-columns:1fr}}
      """;
}
