package dev.reprox.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Validates {@code upstreams:} (politeness per host) and {@code tunnel-allow:} (the CONNECT
 * allow-list). Both are about the network reprox talks to rather than a repository, so they sit
 * at the top level; every error names its field path.
 */
final class UpstreamsValidator {
  static final List<String> KEYS = List.of("concurrency", "rate", "burst", "retries", "backoff",
      "backoff-max", "max-retry-after", "breaker-failures", "breaker-cool-down", "min-rate", "min-rate-window");
  /** Shorter windows would judge a body on one TCP hiccup; the check runs every quarter window. */
  static final Duration MIN_RATE_WINDOW_FLOOR = Duration.ofSeconds(1);
  private static final Pattern HOST = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

  private final Fields fields;

  UpstreamsValidator(Fields fields) {
    this.fields = fields;
  }

  Map<String, UpstreamConfig> upstreams(JsonNode node) {
    Map<String, UpstreamConfig> result = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return result;
    }
    if (!node.isObject()) {
      fields.error("upstreams", "must be a mapping of \"scheme://host[:port]\" to its politeness settings");
      return result;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String path = "upstreams." + e.getKey();
      Optional<String> origin = origin(path, e.getKey());
      JsonNode v = e.getValue();
      if (v == null || !v.isObject()) {
        fields.error(path, "must be a mapping with any of " + String.join(", ", KEYS));
        continue;
      }
      fields.unknownKeys(path, v, KEYS);
      UpstreamConfig u = new UpstreamConfig(origin.orElse(e.getKey()),
          count(path + ".concurrency", v.get("concurrency"), 1),
          rate(path + ".rate", v.get("rate")),
          count(path + ".burst", v.get("burst"), 1),
          count(path + ".retries", v.get("retries"), 0),
          duration(path + ".backoff", v.get("backoff"), true),
          duration(path + ".backoff-max", v.get("backoff-max"), false),
          duration(path + ".max-retry-after", v.get("max-retry-after"), true),
          count(path + ".breaker-failures", v.get("breaker-failures"), 1),
          duration(path + ".breaker-cool-down", v.get("breaker-cool-down"), true),
          byteRate(path + ".min-rate", v.get("min-rate")),
          duration(path + ".min-rate-window", v.get("min-rate-window"), false));
      if (u.minRateWindow().isPresent() && u.minRateWindow().get().compareTo(MIN_RATE_WINDOW_FLOOR) < 0) {
        fields.error(path + ".min-rate-window", "must be at least " + Durations.format(MIN_RATE_WINDOW_FLOOR)
            + ": " + Fields.quote(Durations.format(u.minRateWindow().get())));
      }
      if (u.backoff().isPresent() && u.backoffMax().isPresent()
          && u.backoffMax().get().compareTo(u.backoff().get()) < 0) {
        fields.error(path + ".backoff-max", "must not be shorter than backoff (" + Durations.format(u.backoff().get()) + ")");
      }
      if (origin.isPresent() && result.putIfAbsent(origin.get(), u) != null) {
        fields.error(path, "names the same host as another entry (" + origin.get() + ")");
      }
    }
    return result;
  }

  /** A list of {@code HOST:PORT}, or one comma-separated text (from {@code REPROX_TUNNEL_ALLOW}). */
  List<String> tunnelAllow(JsonNode node) {
    List<String> result = new ArrayList<>();
    if (node == null || node.isNull()) {
      return result;
    }
    List<String> items = new ArrayList<>();
    if (node.isArray()) {
      for (JsonNode item : node) {
        items.add(item.isValueNode() ? item.asText() : "");
      }
    } else if (node.isValueNode()) {
      for (String item : node.asText().split(",", -1)) {
        items.add(item);
      }
    } else {
      fields.error("tunnel-allow", "must be a list of HOST:PORT");
      return result;
    }
    for (int i = 0; i < items.size(); i++) {
      String item = items.get(i).strip().toLowerCase(Locale.ROOT);
      String path = "tunnel-allow[" + i + "]";
      int colon = item.lastIndexOf(':');
      String host = colon < 0 ? "" : item.substring(0, colon);
      String port = colon < 0 ? "" : item.substring(colon + 1);
      if (!HOST.matcher(host).matches() || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1
          || Integer.parseInt(port) > 65535) {
        fields.error(path, "not HOST:PORT with a port in 1-65535: " + Fields.quote(items.get(i)));
        continue;
      }
      result.add(host + ":" + Integer.parseInt(port));
    }
    return result;
  }

  private Optional<String> origin(String path, String key) {
    try {
      URI uri = new URI(key.strip());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      String rawPath = uri.getRawPath() == null ? "" : uri.getRawPath();
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
          && (rawPath.isEmpty() || rawPath.equals("/")) && uri.getRawQuery() == null && uri.getRawUserInfo() == null) {
        return Optional.of(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT)
            + (uri.getPort() >= 0 ? ":" + uri.getPort() : ""));
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    fields.error(path, "the key must be an http(s) origin without a path, e.g. \"http://snapshot.debian.org\"");
    return Optional.empty();
  }

  private OptionalInt count(String path, JsonNode node, int min) {
    Optional<String> text = fields.text(path, node);
    if (text.isEmpty()) {
      return OptionalInt.empty();
    }
    try {
      int n = Integer.parseInt(text.get());
      if (n >= min) {
        return OptionalInt.of(n);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    fields.error(path, "must be a whole number of at least " + min + ": " + Fields.quote(text.get()));
    return OptionalInt.empty();
  }

  private OptionalDouble rate(String path, JsonNode node) {
    Optional<String> text = fields.text(path, node);
    if (text.isEmpty()) {
      return OptionalDouble.empty();
    }
    try {
      double d = Double.parseDouble(text.get());
      if (d > 0 && Double.isFinite(d)) {
        return OptionalDouble.of(d);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    fields.error(path, "must be a positive number of requests per second: " + Fields.quote(text.get()));
    return OptionalDouble.empty();
  }

  private OptionalLong byteRate(String path, JsonNode node) {
    if (node != null && node.isBoolean() && !node.booleanValue()) {
      return OptionalLong.of(0); // YAML 1.1 reads a bare off as false
    }
    Optional<String> text = fields.text(path, node);
    if (text.isEmpty()) {
      return OptionalLong.empty();
    }
    OptionalLong rate = ByteRates.parse(text.get());
    if (rate.isEmpty()) {
      fields.error(path, "not a byte rate like 512B/s, 1KiB/s, 10kB/s, 1MiB/s, or off: " + Fields.quote(text.get()));
    }
    return rate;
  }

  private Optional<Duration> duration(String path, JsonNode node, boolean zeroAllowed) {
    Optional<String> text = fields.text(path, node);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Optional<Duration> d = Durations.parse(text.get());
    if (d.isEmpty()) {
      fields.error(path, "not a duration like 500ms, 60s, 5m, 1h: " + Fields.quote(text.get()));
    } else if (d.get().isZero() && !zeroAllowed) {
      fields.error(path, "must be longer than zero: " + Fields.quote(text.get()));
      return Optional.empty();
    }
    return d;
  }
}
