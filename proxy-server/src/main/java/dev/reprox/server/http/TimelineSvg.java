package dev.reprox.server.http;

import dev.reprox.storage.Generation;
import dev.reprox.storage.Pin;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * One root's history as an inline SVG: time runs left to right from the earliest publication or
 * pinned T to the latest fetch or pinned T. A tick ({@code class="gen"}) per generation at its
 * publication time; a green bar ({@code class="proven"}) over each span where every T is proven
 * (from a generation's publication to its last fetch, cut at the next publication: the floor is
 * that generation there and a fetch at or after T saw it current, docs/concepts.md); below the
 * axis a mark per pin range ({@code class="pin pin-<status>"}). Each element has a
 * {@code <title>} with its times, which browsers show on hover. No script, no external font.
 */
final class TimelineSvg {
  static final int WIDTH = 760;
  static final int HEIGHT = 64;
  static final int PAD = 12;
  static final int AXIS_Y = 30;
  private static final DateTimeFormatter LABEL =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final Instant from;
  private final Instant to;

  /** A span in which every T is proven: {@code generation} was the floor and seen current at or after T. */
  record Proven(Instant from, Instant to, Generation generation) {}

  /**
   * The proven spans of {@code sorted} (by publication): each generation's, from its publication
   * to its last fetch, cut at the next publication; a generation first seen after its successor
   * was published proves nothing. Also what {@code GET /-/api/coverage} answers ({@link Coverage}).
   */
  static List<Proven> provenSpans(List<Generation> sorted) {
    List<Proven> out = new java.util.ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      Generation g = sorted.get(i);
      Instant end = g.lastFetchedAt();
      if (i + 1 < sorted.size() && sorted.get(i + 1).publishedAt().isBefore(end)) {
        end = sorted.get(i + 1).publishedAt();
      }
      if (!end.isBefore(g.publishedAt())) {
        out.add(new Proven(g.publishedAt(), end, g));
      }
    }
    return out;
  }

  private TimelineSvg(Instant from, Instant to) {
    this.from = from;
    this.to = to;
  }

  /** The SVG for {@code generations} (any order) and the root's {@code pins}; an empty string for none. */
  static String render(List<Generation> generations, List<Pin> pins) {
    if (generations.isEmpty() && pins.isEmpty()) {
      return "";
    }
    Instant min = Instant.MAX;
    Instant max = Instant.MIN;
    for (Generation g : generations) {
      min = earlier(min, g.publishedAt());
      max = later(max, later(g.publishedAt(), g.lastFetchedAt()));
    }
    for (Pin p : pins) {
      min = earlier(min, p.from());
      max = later(max, p.to());
    }
    if (!max.isAfter(min)) {
      max = min.plus(Duration.ofHours(1)); // one instant: give it a visible width
    }
    return new TimelineSvg(min, max).draw(
        generations.stream().sorted(Comparator.comparing(Generation::publishedAt)).toList(), pins);
  }

  /** The x coordinate of {@code t}, rounded to a tenth of a pixel. */
  double x(Instant t) {
    double span = Duration.between(from, to).toMillis();
    double offset = Duration.between(from, t).toMillis();
    double x = PAD + (WIDTH - 2.0 * PAD) * offset / span;
    return Math.round(x * 10) / 10.0;
  }

  static TimelineSvg between(Instant from, Instant to) {
    return new TimelineSvg(from, to);
  }

  private String draw(List<Generation> gens, List<Pin> pins) {
    StringBuilder sb = new StringBuilder(512 + gens.size() * 200 + pins.size() * 200);
    sb.append("<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
        .append(WIDTH).append(' ').append(HEIGHT).append("\" width=\"").append(WIDTH).append("\" height=\"")
        .append(HEIGHT).append("\" role=\"img\" data-generations=\"").append(gens.size())
        .append("\" data-pins=\"").append(pins.size()).append("\">");
    sb.append("<line class=\"axis\" x1=\"").append(PAD).append("\" y1=\"").append(AXIS_Y).append("\" x2=\"")
        .append(WIDTH - PAD).append("\" y2=\"").append(AXIS_Y).append("\"/>");
    for (Proven p : provenSpans(gens)) {
      double x1 = x(p.from());
      double w = Math.max(2, x(p.to()) - x1);
      sb.append("<rect class=\"proven\" x=\"").append(x1).append("\" y=\"").append(AXIS_Y - 7)
          .append("\" width=\"").append(round(w)).append("\" height=\"14\" rx=\"2\"><title>proven ")
          .append(LABEL.format(p.from())).append(" – ").append(LABEL.format(p.to()))
          .append("</title></rect>");
    }
    for (Generation g : gens) {
      double x = x(g.publishedAt());
      sb.append("<line class=\"gen\" x1=\"").append(x).append("\" y1=\"").append(AXIS_Y - 14).append("\" x2=\"")
          .append(x).append("\" y2=\"").append(AXIS_Y + 8).append("\"><title>")
          .append(StatusPageHtml.escape(g.digest().toString().substring(0, 19))).append(" published ")
          .append(LABEL.format(g.publishedAt())).append(g.publishedEstimated() ? " (estimated)" : "")
          .append(", last fetched ").append(LABEL.format(g.lastFetchedAt())).append("</title></line>");
    }
    for (Pin p : pins) {
      double x1 = x(p.from());
      double x2 = x(p.to());
      String status = p.status().name().toLowerCase(Locale.ROOT).replace('_', '-');
      sb.append("<g class=\"pin pin-").append(status).append("\"><title>pin ").append(status).append(' ')
          .append(LABEL.format(p.from()));
      if (p.to().isAfter(p.from())) {
        sb.append(" – ").append(LABEL.format(p.to()));
      }
      sb.append("</title>");
      if (x2 - x1 >= 2) {
        sb.append("<rect x=\"").append(x1).append("\" y=\"").append(AXIS_Y + 11).append("\" width=\"")
            .append(round(x2 - x1)).append("\" height=\"3\"/>");
      }
      sb.append("<path d=\"M").append(x1).append(' ').append(AXIS_Y + 10).append(" l-5 9 h10 z\"/></g>");
    }
    sb.append("<text class=\"label\" x=\"").append(PAD).append("\" y=\"").append(HEIGHT - 2).append("\">")
        .append(LABEL.format(from)).append("</text>");
    sb.append("<text class=\"label\" x=\"").append(WIDTH - PAD).append("\" y=\"").append(HEIGHT - 2)
        .append("\" text-anchor=\"end\">").append(LABEL.format(to)).append("</text>");
    return sb.append("</svg>").toString();
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static Instant earlier(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
