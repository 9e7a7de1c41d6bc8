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
 * outages are remembered since startup); {@code between_fetches} when the root is watched and the
 * gap is no longer than the watch's longest pause: a new generation was published between two
 * rounds, and a T between the last sight of the old one and that publication cannot be proven
 * (another generation could have come and gone unseen); else {@code not_observed}: nothing
 * fetched the root then (reprox was not running, or the root was not watched and nobody asked).
 * The gap after the last fetch is {@code ongoing} ({@code since_last_fetch} unless the watch is
 * failing): the next watch round or request closes it.
 */
final class Coverage {
  private Coverage() {}

  static void root(ObjectNode out, List<Generation> generations, Optional<java.time.Duration> watchPause,
      Optional<Watches.RootStatus> status, Instant now) {
    boolean watched = watchPause.isPresent();
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
        gap(gaps, covered, p.from(), false, outages, watchPause);
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
      gap(gaps, covered, now, true, outages, watchPause);
    }
  }

  private static void gap(ArrayNode gaps, Instant from, Instant to, boolean ongoing, List<Watches.Outage> outages,
      Optional<java.time.Duration> watchPause) {
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
    } else if (ongoing) {
      g.put("reason", "since_last_fetch");
      g.put("message", "not fetched since " + from + "; the next watch round or request covers it");
    } else if (watchPause.isPresent() && java.time.Duration.between(from, to).compareTo(watchPause.get()) <= 0) {
      g.put("reason", "between_fetches");
      g.put("message", "a new generation was published between two fetches; a T after the last sight of the"
          + " old one and before that publication cannot be proven");
    } else {
      g.put("reason", "not_observed");
      g.put("message", "no fetch of the root in this span: reprox was not running, or the root was not watched"
          + " and nobody asked for it");
    }
  }
}
