package dev.reprox.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.reprox.config.ConfigLoader.Overrides;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/configuration.md names every key the config code accepts or prints, and the environment
 * form of every key that has one: a key added to a validator or to {@code config check} without a
 * line in the documentation fails here.
 */
class ConfigurationDocTest {
  // Surefire runs in the module directory; the docs are part of the repository, one level up.
  private static final Path DOC = Path.of("..", "docs", "configuration.md");

  @TempDir Path dir;

  private static String doc() throws Exception {
    return Files.readString(DOC);
  }

  @Test
  void everyAcceptedKey_documented() throws Exception {
    String doc = doc();
    List<String> missing = new ArrayList<>();
    Stream.of(ConfigValidator.KEYS, ConfigValidator.LOG_KEYS, RepositoryValidator.KEYS, UpstreamsValidator.KEYS,
            ApiValidator.KEYS, RepositoryValidator.WATCH_KEYS, ConfigValidator.BUILDS_KEYS, RetentionValidator.KEYS,
            ThreadsValidator.KEYS, StorageValidator.KEYS, StorageValidator.POSTGRES_KEYS, StorageValidator.S3_KEYS,
            StorageValidator.LOCAL_CACHE_KEYS)
        .flatMap(List::stream)
        .filter(key -> !doc.contains("`" + key + "`"))
        .forEach(missing::add);
    assertThat(missing).as("keys missing from " + DOC).isEmpty();
  }

  @Test
  void everyEnvironmentForm_documented() throws Exception {
    String doc = doc();
    List<String> forms = new ArrayList<>();
    ConfigValidator.KEYS.stream().filter(k -> !k.equals("repositories") && !k.equals("upstreams") && !k.equals("api")
            && !k.equals("threads"))
        .forEach(k -> forms.add("REPROX_" + upper(k)));
    ApiValidator.KEYS.forEach(k -> {
      forms.add("REPROX_" + upper(k));
      forms.add("REPROX_API_" + upper(k));
    });
    ConfigValidator.LOG_KEYS.forEach(k -> forms.add("REPROX_LOG_" + upper(k)));
    ConfigValidator.BUILDS_KEYS.forEach(k -> forms.add("REPROX_BUILDS_" + upper(k)));
    ThreadsValidator.KEYS.forEach(k -> forms.add("REPROX_THREADS_" + upper(k)));
    forms.add("REPROX_REPOSITORIES_<NAME>_<FIELD>");
    forms.add("REPROX_STORAGE_TYPE");
    StorageValidator.POSTGRES_KEYS.forEach(k -> forms.add("REPROX_STORAGE_POSTGRES_" + upper(k)));
    StorageValidator.S3_KEYS.forEach(k -> forms.add("REPROX_STORAGE_S3_" + upper(k)));
    StorageValidator.LOCAL_CACHE_KEYS.forEach(k -> forms.add("REPROX_STORAGE_LOCAL_CACHE_" + upper(k)));
    assertThat(forms.stream().filter(f -> !doc.contains("`" + f)).toList()).as("environment forms missing").isEmpty();
  }

  /** Every key {@code config check} prints for a configuration that sets everything. */
  @Test
  void everyPrintedKey_documented() throws Exception {
    Files.writeString(dir.resolve("admin.token"), "admin-0123456789");
    Path file = dir.resolve("full.yaml");
    Files.writeString(file, """
        tunnel-allow: [git.example:443]
        repositories:
          mine:
            format: dnf
            upstream: https://rpm.example/repo/
            snapshot: https://snap.example/repo
            keyring: none
            offline: true
            repo-gpgcheck: false
            watch:
              roots: [repodata/repomd.xml]
        upstreams:
          "https://rpm.example":
            concurrency: 3
            rate: 7
            burst: 9
            retries: 1
            backoff: 1s
            backoff-max: 2s
            max-retry-after: 3s
            breaker-failures: 4
            breaker-cool-down: 5s
            min-rate: 2KiB/s
            min-rate-window: 10s
        log:
          access: false
          format: json
        threads:
          storage: 6
        api:
          admin-token-file: admin.token
          read-token: read-0123456789
        retention:
          keep: 30d
          max-size: 50GiB
          schedule: 24h
        storage:
          type: shared
          postgres: {url: "jdbc:postgresql://db:5432/reprox", user: reprox, password: pw}
          s3: {endpoint: "http://s3:8080", bucket: reprox, access-key: a, secret-key-file: admin.token}
          local-cache: {path: /cache, max-size: 2GiB}
        """);
    JsonNode printed = new YAMLMapper().readTree(
        ConfigPrinter.toYaml(ConfigLoader.load(Optional.of(file), Map.of(), Overrides.none())));
    TreeSet<String> keys = new TreeSet<>();
    collect(printed, 0, false, keys);
    String doc = doc();

    assertThat(keys).contains("admin-token-file", "read-token", "min-rate-window", "repo-gpgcheck", "format", "access",
        "watch", "roots", "interval", "listings", "max-size", "schedule", "root-fetch", "event-loops", "password",
        "secret-key-file");
    assertThat(keys.stream().filter(k -> !doc.contains("`" + k + "`")).toList()).as("printed keys missing").isEmpty();
  }

  // Under repositories and upstreams the first level is a name, not a key.
  private static void collect(JsonNode node, int depth, boolean names, TreeSet<String> keys) {
    node.fields().forEachRemaining(e -> {
      if (!names) {
        keys.add(e.getKey());
      }
      boolean nextNames = !names && depth == 0 && (e.getKey().equals("repositories") || e.getKey().equals("upstreams"));
      if (e.getValue().isObject()) {
        collect(e.getValue(), depth + 1, nextNames, keys);
      }
    });
  }

  private static String upper(String key) {
    return key.toUpperCase(Locale.ROOT).replace('-', '_');
  }
}
