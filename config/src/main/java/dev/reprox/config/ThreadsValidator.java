package dev.reprox.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/** Validates {@code threads:}: each key a whole number in its range, unknown keys refused. */
final class ThreadsValidator {
  static final List<String> KEYS =
      List.of("event-loops", "storage", "body", "upstream", "signed", "root-fetch", "tunnel-resolve");

  private final Fields fields;

  ThreadsValidator(Fields fields) {
    this.fields = fields;
  }

  ThreadsConfig validate(JsonNode node) {
    if (node == null || node.isNull()) {
      return ThreadsConfig.DEFAULT;
    }
    if (!node.isObject()) {
      fields.error("threads", "must be a mapping (" + String.join(", ", KEYS) + ")");
      return ThreadsConfig.DEFAULT;
    }
    fields.unknownKeys("threads", node, KEYS);
    ThreadsConfig d = ThreadsConfig.DEFAULT;
    int eventLoops = count(node, "event-loops", 0).orElse(d.eventLoops());
    int storage = count(node, "storage", 1).orElse(d.storage());
    int body = count(node, "body", 1).orElse(d.body());
    int upstream = count(node, "upstream", 1).orElse(d.upstream());
    int signed = count(node, "signed", 1).orElse(d.signed());
    int rootFetch = count(node, "root-fetch", 1).orElse(d.rootFetch());
    int tunnelResolve = count(node, "tunnel-resolve", 1).orElse(d.tunnelResolve());
    return new ThreadsConfig(eventLoops, storage, body, upstream, signed, rootFetch, tunnelResolve);
  }

  private Optional<Integer> count(JsonNode threads, String key, int min) {
    String path = "threads." + key;
    return fields.text(path, threads.get(key)).flatMap(text -> {
      if (text.matches("\\d{1,4}")) {
        int n = Integer.parseInt(text);
        if (n >= min && n <= ThreadsConfig.CEILING) {
          return Optional.of(n);
        }
      }
      fields.error(path, "must be a whole number from " + min + " to " + ThreadsConfig.CEILING
          + (min == 0 ? " (0: two per core)" : "") + ": " + Fields.quote(text));
      return Optional.empty();
    });
  }
}
