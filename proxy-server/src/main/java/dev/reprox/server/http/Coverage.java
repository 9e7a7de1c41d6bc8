package dev.reprox.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reprox.server.fetch.Watches;
import dev.reprox.storage.Generation;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * One root's coverage for {@code GET /-/api/coverage}: the spans in which every T is proven (the
 * status page's bars, {@link TimelineSvg#provenSpans}) from the first publication to now, and the
 * gaps between them. A gap is {@code upstream_failed} when the watch failed during it (its
 * outages are remembered since startup), else {@code not_observed}: nothing fetched the root then
 * (reprox was not running, or the root was not watched and nobody asked). The gap after the last
 * fetch is {@code ongoing}: the next watch round or request closes it.
 */
final class Coverage {
  private Coverage() {}

  static void root(ObjectNode out, List<Generation> generations, boolean watched, Optional<Watches.RootStatus> status,
      Instant now) {
    List<Generation> sorted = generations.stream().sorted(Comparator.comparing(Generation::publishedAt)).toList();
    List<TimelineSvg.Proven> spans = TimelineSvg.provenSpans(sorted);
    List<Watches.Outage> outages = status.map(Watches.RootStatus::outages).orElse(List.of());
    out.put("watched", watched);
    status.map(Watches.RootStatus::lastSuccess).ifPresent(t -> out.put("lastWatchSuccess", t.toString()));
    status.map(Watches.RootStatus::lastAttempt).ifPresent(t -> out.put("lastWatchAttempt", t.toString()));
    if (!sorted.isEmpty()) {
      out.put("from", sorted.get(0).publishedAt().toString());
    }
    out.put("to", now.toString());
    ArrayNode proven = out.putArray("proven");
    ArrayNode gaps = out.putArray("gaps");
    Instant covered = sorted.isEmpty() ? null : sorted.get(0).publishedAt();
    for (TimelineSvg.Proven p : spans) {
      if (p.from().isAfter(covered)) {
        gap(gaps, covered, p.from(), false, outages);
      }
      ObjectNode o = proven.addObject();
      o.put("from", p.from().toString());
      o.put("to", p.to().toString());
      o.put("generation", p.generation().digest().toString());
      if (p.to().isAfter(covered)) {
        covered = p.to();
      }
    }
    if (covered != null && covered.isBefore(now)) {
      gap(gaps, covered, now, true, outages);
    }
  }

  private static void gap(ArrayNode gaps, Instant from, Instant to, boolean ongoing, List<Watches.Outage> outages) {
    ObjectNode g = gaps.addObject();
    g.put("from", from.toString());
    g.put("to", to.toString());
    g.put("ongoing", ongoing);
    Optional<Watches.Outage> failed = outages.stream()
        .filter(o -> o.from().isBefore(to) && (o.to() == null || o.to().isAfter(from)))
        .reduce((a, b) -> b);
    if (failed.isPresent()) {
      g.put("reason", "upstream_failed");
      g.put("message", "the watch failed from " + failed.get().from()
          + (failed.get().to() == null ? " on" : " to " + failed.get().to()) + ": " + failed.get().reason());
    } else {
      g.put("reason", "not_observed");
      g.put("message", ongoing ? "not fetched since " + from + "; the next watch round or request covers it"
          : "no fetch of the root in this span: reprox was not running, or the root was not watched and nobody"
              + " asked for it");
    }
  }
}
