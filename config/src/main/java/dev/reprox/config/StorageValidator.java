package dev.reprox.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Validates {@code storage:}. Secrets (the database password, the S3 keys) are given as a value
 * (meant for the environment: {@code REPROX_STORAGE_POSTGRES_PASSWORD}) or as a file (a mounted
 * secret), never both; the value is never put into a message, and the {@code ***} that {@code
 * config check} prints is refused.
 */
final class StorageValidator {
  static final List<String> KEYS = List.of("type", "postgres", "s3", "local-cache", "fill-lease", "blob-files");
  static final List<String> POSTGRES_KEYS = List.of("url", "user", "password", "password-file");
  static final List<String> S3_KEYS = List.of("endpoint", "bucket", "region", "path-style", "access-key",
      "access-key-file", "secret-key", "secret-key-file");
  static final List<String> LOCAL_CACHE_KEYS = List.of("path", "max-size");
  static final String DEFAULT_REGION = "us-east-1";
  static final String DEFAULT_CACHE_DIR = "shared-cache";
  static final long DEFAULT_CACHE_SIZE = 10L << 30;
  // Renewed every third of it: shorter would make a busy database's hiccup cost a fill its lease.
  static final Duration MIN_FILL_LEASE = Duration.ofSeconds(1);
  // S3 bucket names: 3-63 lower-case letters, digits, dots and hyphens, starting and ending alphanumeric.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  private final Fields fields;

  StorageValidator(Fields fields) {
    this.fields = fields;
  }

  StorageConfig validate(JsonNode node, Path data) {
    if (node == null || node.isNull()) {
      return StorageConfig.ROCKSDB;
    }
    if (!node.isObject()) {
      fields.error("storage", "must be a mapping (type, postgres, s3, local-cache)");
      return StorageConfig.ROCKSDB;
    }
    fields.unknownKeys("storage", node, KEYS);
    StorageConfig.Type type = fields.text("storage.type", node.get("type")).flatMap(text -> {
      for (StorageConfig.Type t : StorageConfig.Type.values()) {
        if (t.name().equalsIgnoreCase(text)) {
          return Optional.of(t);
        }
      }
      fields.error("storage.type", "must be rocksdb or shared: " + Fields.quote(text));
      return Optional.empty();
    }).orElse(StorageConfig.Type.ROCKSDB);
    if (type == StorageConfig.Type.ROCKSDB) {
      for (String key : List.of("postgres", "s3", "local-cache", "fill-lease")) {
        if (node.hasNonNull(key)) {
          fields.error("storage." + key, "only with type: shared (the type is rocksdb)");
        }
      }
      JsonNode blobFiles = node.get("blob-files");
      if (blobFiles == null || blobFiles.isNull()) {
        return StorageConfig.ROCKSDB;
      }
      return fields.bool("storage.blob-files", blobFiles)
          .map(on -> new StorageConfig(type, Optional.empty(), Optional.empty(), Optional.empty(),
              StorageConfig.DEFAULT_FILL_LEASE, on))
          .orElse(StorageConfig.ROCKSDB);
    }
    if (node.hasNonNull("blob-files")) {
      fields.error("storage.blob-files", "only with type: rocksdb (the shared store keeps blobs in S3)");
    }
    Optional<StorageConfig.Postgres> postgres = postgres(section(node, "postgres", POSTGRES_KEYS, true));
    Optional<StorageConfig.S3> s3 = s3(section(node, "s3", S3_KEYS, true));
    Optional<StorageConfig.LocalCache> cache = localCache(section(node, "local-cache", LOCAL_CACHE_KEYS, false), data);
    Optional<Duration> fillLease = fillLease(node.get("fill-lease"));
    if (postgres.isEmpty() || s3.isEmpty() || cache.isEmpty() || fillLease.isEmpty()) {
      return StorageConfig.ROCKSDB; // errors were reported; the caller throws
    }
    return new StorageConfig(type, postgres, s3, cache, fillLease.get());
  }

  /** {@code storage.fill-lease}: empty when reported as invalid. */
  private Optional<Duration> fillLease(JsonNode node) {
    if (node == null || node.isNull()) {
      return Optional.of(StorageConfig.DEFAULT_FILL_LEASE);
    }
    Optional<String> text = fields.text("storage.fill-lease", node);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Optional<Duration> d = Durations.parse(text.get());
    if (d.isEmpty() || d.get().compareTo(MIN_FILL_LEASE) < 0) {
      fields.error("storage.fill-lease", "must be a duration of at least " + Durations.format(MIN_FILL_LEASE)
          + " (30s, 2m): " + Fields.quote(text.get()));
      return Optional.empty();
    }
    return d;
  }

  private JsonNode section(JsonNode storage, String key, List<String> known, boolean required) {
    JsonNode node = storage.get(key);
    String path = "storage." + key;
    if (node == null || node.isNull()) {
      if (required) {
        fields.error(path, "required with type: shared");
        return null;
      }
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
    if (!node.isObject()) {
      fields.error(path, "must be a mapping (" + String.join(", ", known) + ")");
      return null;
    }
    fields.unknownKeys(path, node, known);
    return node;
  }

  private Optional<StorageConfig.Postgres> postgres(JsonNode node) {
    if (node == null) {
      return Optional.empty();
    }
    Optional<String> url = fields.text("storage.postgres.url", node.get("url"));
    if (node.get("url") == null || node.get("url").isNull()) {
      fields.error("storage.postgres.url", "required (jdbc:postgresql://HOST:PORT/DATABASE)");
    }
    url = url.filter(u -> {
      if (!u.startsWith("jdbc:postgresql://")) {
        fields.error("storage.postgres.url", "must start with jdbc:postgresql://: " + Fields.quote(u));
        return false;
      }
      return true;
    });
    String user = fields.text("storage.postgres.user", node.get("user")).orElse("reprox");
    Optional<StorageConfig.Secret> password = secret(node, "storage.postgres", "password");
    return url.map(u -> new StorageConfig.Postgres(u, user, password));
  }

  private Optional<StorageConfig.S3> s3(JsonNode node) {
    if (node == null) {
      return Optional.empty();
    }
    Optional<URI> endpoint = fields.text("storage.s3.endpoint", node.get("endpoint")).flatMap(text -> {
      try {
        URI uri = new URI(text);
        if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
            && uri.getUserInfo() == null) {
          return Optional.of(uri);
        }
      } catch (URISyntaxException e) {
        // reported below
      }
      fields.error("storage.s3.endpoint", "must be an http:// or https:// URL without credentials: "
          + Fields.quote(BasicCredentials.redact(text)));
      return Optional.empty();
    });
    Optional<String> bucket = fields.text("storage.s3.bucket", node.get("bucket"));
    if (bucket.isEmpty()) {
      fields.error("storage.s3.bucket", "required");
    }
    bucket = bucket.filter(b -> {
      if (!BUCKET.matcher(b).matches()) {
        fields.error("storage.s3.bucket", "not an S3 bucket name (3-63 of a-z, 0-9, '.', '-'): " + Fields.quote(b));
        return false;
      }
      return true;
    });
    String region = fields.text("storage.s3.region", node.get("region")).orElse(DEFAULT_REGION);
    boolean pathStyle = fields.bool("storage.s3.path-style", node.get("path-style")).orElse(true);
    Optional<StorageConfig.Secret> access = secret(node, "storage.s3", "access-key");
    Optional<StorageConfig.Secret> secret = secret(node, "storage.s3", "secret-key");
    if (access.isPresent() != secret.isPresent()) {
      fields.error("storage.s3", "set both access-key and secret-key (or neither: the AWS default credential chain)");
    }
    return bucket.map(b -> new StorageConfig.S3(endpoint, b, region, pathStyle, access, secret));
  }

  private Optional<StorageConfig.LocalCache> localCache(JsonNode node, Path data) {
    if (node == null) {
      return Optional.empty();
    }
    Path path = fields.text("storage.local-cache.path", node.get("path")).flatMap(text -> {
      try {
        return Optional.of(Path.of(text));
      } catch (InvalidPathException e) {
        fields.error("storage.local-cache.path", "not a path (" + e.getReason() + "): " + Fields.quote(text));
        return Optional.empty();
      }
    }).orElse(data.resolve(DEFAULT_CACHE_DIR));
    long size = fields.text("storage.local-cache.max-size", node.get("max-size")).flatMap(text -> {
      OptionalLong n = Sizes.parse(text);
      if (n.isEmpty() || n.getAsLong() < (1L << 20)) {
        fields.error("storage.local-cache.max-size", "must be a size of at least 1MiB with a unit (512MiB, 10GiB, 1TB): "
            + Fields.quote(text));
        return Optional.empty();
      }
      return Optional.of(n.getAsLong());
    }).orElse(DEFAULT_CACHE_SIZE);
    return Optional.of(new StorageConfig.LocalCache(path, size));
  }

  private Optional<StorageConfig.Secret> secret(JsonNode node, String section, String key) {
    String path = section + "." + key;
    Optional<String> value = fields.text(path, node.get(key));
    Optional<String> file = fields.text(path + "-file", node.get(key + "-file"));
    if (value.isPresent() && file.isPresent()) {
      fields.error(path, "set either " + key + " or " + key + "-file, not both");
      return Optional.empty();
    }
    if (value.isPresent()) {
      return checked(path, value.get(), Optional.empty());
    }
    return file.flatMap(f -> read(path + "-file", f));
  }

  private Optional<StorageConfig.Secret> read(String path, String name) {
    return fields.secretFile(path, name).flatMap(text -> checked(path, text, Optional.of(Path.of(name))));
  }

  // The value itself never goes into a message: a typo in a secret must not end up in a log.
  private Optional<StorageConfig.Secret> checked(String path, String value, Optional<Path> file) {
    if (value.isEmpty()) {
      fields.error(path, "is empty");
      return Optional.empty();
    }
    if (value.equals(ApiValidator.REDACTED)) {
      fields.error(path, "\"***\" is the placeholder config check prints, not a secret: set the real one");
      return Optional.empty();
    }
    return Optional.of(new StorageConfig.Secret(value, file));
  }

  static String lower(StorageConfig.Type type) {
    return type.name().toLowerCase(Locale.ROOT);
  }
}
