package dev.reprox.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Validates {@code retention:}; see {@link RetentionConfig}. */
final class RetentionValidator {
  static final List<String> KEYS = List.of("keep", "max-size", "schedule", "repositories");
  static final List<String> REPOSITORY_KEYS = List.of("keep");
  /** Below this a scheduled collection would run back to back with itself on a large store. */
  static final Duration MIN_SCHEDULE = Duration.ofMinutes(1);

  private final Fields fields;

  RetentionValidator(Fields fields) {
    this.fields = fields;
  }

  RetentionConfig validate(JsonNode node, Iterable<String> repositoryNames) {
    if (node == null || node.isNull()) {
      return RetentionConfig.DEFAULT;
    }
    if (!node.isObject()) {
      fields.error("retention", "must be a mapping (keep, max-size, schedule, repositories)");
      return RetentionConfig.DEFAULT;
    }
    fields.unknownKeys("retention", node, KEYS);
    Duration keep = keep("retention.keep", node.get("keep")).orElse(RetentionConfig.DEFAULT_KEEP);
    OptionalLong maxSize = fields.text("retention.max-size", node.get("max-size"))
        .map(t -> {
          OptionalLong n = Sizes.parse(t);
          if (n.isEmpty() || n.getAsLong() <= 0) {
            fields.error("retention.max-size", "not a positive size with a unit (e.g. 50GiB, 500MB): " + Fields.quote(t));
          }
          return n;
        }).orElse(OptionalLong.empty());
    Optional<Duration> schedule = fields.text("retention.schedule", node.get("schedule")).flatMap(t -> {
      if (t.toLowerCase(Locale.ROOT).equals("off")) {
        return Optional.empty();
      }
      Optional<Duration> d = Durations.parse(t);
      if (d.isEmpty() || d.get().compareTo(MIN_SCHEDULE) < 0) {
        fields.error("retention.schedule", "not off or a duration of at least 1m (e.g. 24h): " + Fields.quote(t));
        return Optional.empty();
      }
      return d;
    });
    Map<String, Duration> repositories = new LinkedHashMap<>();
    JsonNode repos = node.get("repositories");
    if (repos != null && !repos.isNull()) {
      if (!repos.isObject()) {
        fields.error("retention.repositories", "must be a mapping of repository name to {keep}");
      } else {
        List<String> known = new java.util.ArrayList<>();
        repositoryNames.forEach(known::add);
        for (Iterator<Map.Entry<String, JsonNode>> it = repos.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          String path = "retention.repositories." + e.getKey();
          if (!known.contains(e.getKey())) {
            fields.error(path, "no repository of that name is configured");
            continue;
          }
          if (!e.getValue().isObject()) {
            fields.error(path, "must be a mapping with keep");
            continue;
          }
          fields.unknownKeys(path, e.getValue(), REPOSITORY_KEYS);
          keep(path + ".keep", e.getValue().get("keep")).ifPresent(d -> repositories.put(e.getKey(), d));
        }
      }
    }
    return new RetentionConfig(keep, maxSize, schedule, repositories);
  }

  private Optional<Duration> keep(String path, JsonNode node) {
    return fields.text(path, node).flatMap(t -> {
      Optional<Duration> d = Durations.parse(t);
      if (d.isEmpty()) {
        fields.error(path, "not a duration (e.g. 90d, 12h, 0s): " + Fields.quote(t));
      }
      return d;
    });
  }
}
