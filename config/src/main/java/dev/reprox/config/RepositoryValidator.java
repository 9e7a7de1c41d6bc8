package dev.reprox.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reprox.config.RepositoryConfig.Format;
import dev.reprox.config.RepositoryConfig.PinningPolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Validates one {@code repositories.<name>} mapping into a {@link RepositoryConfig}. */
final class RepositoryValidator {
  static final List<String> KEYS =
      List.of("format", "upstream", "snapshot", "keyring", "pinning", "root-ttl", "offline",
          "repo-gpgcheck", "negative-ttl", "watch");
  static final List<String> WATCH_KEYS = List.of("roots", "interval", "listings");
  static final Duration DEFAULT_ROOT_TTL = Duration.ofSeconds(60);

  // The name is the first path segment of mirror URLs and part of REPROX_ variable names, so it
  // stays within what both can carry unambiguously.
  private static final Pattern NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

  private final Fields fields;

  RepositoryValidator(Fields fields) {
    this.fields = fields;
  }

  /** The repository, or empty when it has errors (already reported to {@link Fields}). */
  Optional<RepositoryConfig> validate(String name, JsonNode node, boolean globalOffline) {
    String path = "repositories." + name;
    int before = fields.errors().size();
    if (!NAME.matcher(name).matches()) {
      fields.error(path, "repository name must be lower-case letters and digits, "
          + "optionally joined by single hyphens (it is a URL path segment)");
    }
    if (node == null || !node.isObject()) {
      fields.error(path, "must be a mapping with format, upstream and optional "
          + "snapshot, keyring, pinning, root-ttl, offline, repo-gpgcheck, negative-ttl, watch");
      return Optional.empty();
    }
    fields.unknownKeys(path, node, KEYS);
    Optional<Format> format = fields.text(path + ".format", node.get("format"))
        .flatMap(text -> oneOf(path + ".format", text, Format.values()));
    // user:password@ is taken out of the URLs here, so that no later use of a URL can show it.
    Optional<URI> upstreamGiven = fields.text(path + ".upstream", node.get("upstream"))
        .flatMap(text -> httpUrl(path + ".upstream", text));
    Optional<URI> upstream = upstreamGiven
        .map(uri -> URI.create(BasicCredentials.strip(uri).toString().replaceAll("/+$", "")));
    Optional<URI> snapshotGiven = fields.text(path + ".snapshot", node.get("snapshot"))
        .flatMap(text -> httpUrl(path + ".snapshot", text));
    Optional<URI> snapshot = snapshotGiven.map(BasicCredentials::strip)
        .map(uri -> uri.toString().endsWith("/") ? uri : URI.create(uri + "/"));
    Keyring keyring = fields.text(path + ".keyring", node.get("keyring"))
        .map(text -> keyring(path + ".keyring", text))
        .orElse(new Keyring.None());
    PinningPolicy pinning = fields.text(path + ".pinning", node.get("pinning"))
        .flatMap(text -> oneOf(path + ".pinning", text, PinningPolicy.values()))
        .orElse(PinningPolicy.BEST_EFFORT);
    Duration rootTtl = fields.text(path + ".root-ttl", node.get("root-ttl"))
        .flatMap(text -> duration(path + ".root-ttl", text))
        .orElse(DEFAULT_ROOT_TTL);
    Duration negativeTtl = fields.text(path + ".negative-ttl", node.get("negative-ttl"))
        .flatMap(text -> duration(path + ".negative-ttl", text))
        .orElse(RepositoryConfig.DEFAULT_NEGATIVE_TTL);
    boolean offline = fields.bool(path + ".offline", node.get("offline")).orElse(false);
    boolean repoGpgcheck = fields.bool(path + ".repo-gpgcheck", node.get("repo-gpgcheck")).orElse(true);
    Optional<WatchConfig> watch = watch(path + ".watch", node.get("watch"));
    if (format.isEmpty() && isAbsent(node.get("format"))) {
      fields.error(path + ".format", "missing (one of apt, apk, dnf)");
    }
    if (upstream.isEmpty() && isAbsent(node.get("upstream"))) {
      fields.error(path + ".upstream", "missing (the http(s) URL of the live mirror)");
    }
    if (fields.errors().size() > before || format.isEmpty() || upstream.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new RepositoryConfig(name, format.get(), upstream.get(), snapshot, keyring,
        pinning, rootTtl, globalOffline || offline, repoGpgcheck, negativeTtl,
        upstreamGiven.flatMap(BasicCredentials::of), snapshotGiven.flatMap(BasicCredentials::of), watch));
  }

  /**
   * {@code watch: {roots: [<path>...] | seen, interval: 10m, listings: false}}; absent or null is
   * off. A root is a path below the repository (no leading slash, no empty or dot segments): it is
   * appended to the upstream URL, so it must not leave it. Whether it is a root index of the
   * format is checked when the server starts (the formats live outside this module).
   */
  private Optional<WatchConfig> watch(String path, JsonNode node) {
    if (isAbsent(node)) {
      return Optional.empty();
    }
    if (!node.isObject()) {
      fields.error(path, "must be a mapping with roots (a list of root index paths, or seen), interval, listings");
      return Optional.empty();
    }
    int before = fields.errors().size();
    fields.unknownKeys(path, node, WATCH_KEYS);
    JsonNode rootsNode = node.get("roots");
    List<String> roots = new java.util.ArrayList<>();
    boolean seen = false;
    if (isAbsent(rootsNode)) {
      fields.error(path + ".roots", "missing (a list of root index paths, or seen)");
    } else if (rootsNode.isArray()) {
      if (rootsNode.isEmpty()) {
        fields.error(path + ".roots", "must name at least one root index (or be seen)");
      }
      for (int i = 0; i < rootsNode.size(); i++) {
        String at = path + ".roots[" + i + "]";
        fields.text(at, rootsNode.get(i)).ifPresent(root -> {
          if (safeRoot(root)) {
            if (!roots.contains(root)) {
              roots.add(root);
            }
          } else {
            fields.error(at, "not a path below the repository (no leading /, no empty, . or .. segments): "
                + Fields.quote(root));
          }
        });
      }
    } else {
      Optional<String> text = fields.text(path + ".roots", rootsNode);
      if (text.isPresent() && text.get().equals("seen")) {
        seen = true;
      } else if (text.isPresent()) {
        fields.error(path + ".roots", "must be a list of root index paths, or seen: " + Fields.quote(text.get()));
      }
    }
    Duration interval = fields.text(path + ".interval", node.get("interval"))
        .flatMap(text -> duration(path + ".interval", text))
        .orElse(WatchConfig.DEFAULT_INTERVAL);
    if (interval.compareTo(WatchConfig.MIN_INTERVAL) < 0) {
      fields.error(path + ".interval", "must be at least " + Durations.format(WatchConfig.MIN_INTERVAL)
          + " (a watch is polite background work): " + Durations.format(interval));
    }
    boolean listings = fields.bool(path + ".listings", node.get("listings")).orElse(false);
    if (fields.errors().size() > before) {
      return Optional.empty();
    }
    return Optional.of(new WatchConfig(roots, seen, interval, listings));
  }

  private static boolean safeRoot(String root) {
    if (root.startsWith("/") || root.contains("\\") || root.contains("?") || root.contains("#")) {
      return false;
    }
    for (String segment : root.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return root.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
  }

  /** The config spelling of an enum constant: {@code BEST_EFFORT} → {@code best-effort}. */
  static String spelling(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private <E extends Enum<E>> Optional<E> oneOf(String path, String text, E[] values) {
    for (E value : values) {
      if (spelling(value).equals(text)) {
        return Optional.of(value);
      }
    }
    String choices = Arrays.stream(values).map(RepositoryValidator::spelling)
        .collect(Collectors.joining(", "));
    fields.error(path, "must be one of " + choices + ": " + Fields.quote(text));
    return Optional.empty();
  }

  private Optional<URI> httpUrl(String path, String text) {
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
          && uri.getRawQuery() == null && uri.getRawFragment() == null) {
        return Optional.of(uri);
      }
    } catch (URISyntaxException e) {
      // reported below with the same message as any other non-URL
    }
    fields.error(path, "not an http(s) URL: " + Fields.quote(BasicCredentials.redact(text)));
    return Optional.empty();
  }

  private Keyring keyring(String path, String text) {
    if (text.equals("none")) {
      return new Keyring.None();
    }
    if (text.startsWith("builtin:")) {
      String name = text.substring("builtin:".length());
      List<String> available = BuiltinKeyrings.names();
      if (!available.contains(name)) {
        fields.error(path, "no built-in keyring " + Fields.quote(name)
            + " (available: " + String.join(", ", available) + ")");
      }
      return new Keyring.Builtin(name);
    }
    try {
      Path file = Path.of(text).toAbsolutePath().normalize();
      if (!Files.exists(file)) {
        fields.error(path, "file not found: " + file);
      } else if (!Files.isReadable(file)) {
        fields.error(path, "not readable: " + file);
      }
      return new Keyring.File(file);
    } catch (InvalidPathException e) {
      fields.error(path, "not builtin:<name>, none, or a path: " + Fields.quote(text));
      return new Keyring.None();
    }
  }

  private Optional<Duration> duration(String path, String text) {
    Optional<Duration> duration = Durations.parse(text);
    if (duration.isEmpty()) {
      fields.error(path, "not a duration like 500ms, 60s, 5m, 1h: " + Fields.quote(text));
    } else if (duration.get().isZero()) {
      fields.error(path, "must be longer than zero: " + Fields.quote(text));
      return Optional.empty();
    }
    return duration;
  }

  private static boolean isAbsent(JsonNode node) {
    return node == null || node.isNull();
  }
}
