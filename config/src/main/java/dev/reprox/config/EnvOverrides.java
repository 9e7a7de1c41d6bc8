package dev.reprox.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Applies {@code REPROX_<PATH>} environment variables to the merged tree: the field path in upper
 * case with {@code _} for both {@code .} and {@code -} ({@code REPROX_LISTEN},
 * {@code REPROX_REPOSITORIES_DEBIAN_SECURITY_ROOT_TTL}). Because {@code _} stands for two
 * separators, a repository variable is split by matching the known repository names against its
 * front and the field names against its end; an empty value means "not set".
 *
 * <p>The API's tokens have a short form besides the derived one: {@code REPROX_ADMIN_TOKEN} and
 * {@code REPROX_API_ADMIN_TOKEN} both set {@code api.admin-token} (likewise {@code READ_TOKEN} and
 * the {@code _FILE} forms).
 *
 * <p>Variables whose first word is a top-level key ({@code REPROX_DATA_DIR},
 * {@code REPROX_REPOSITORIES_DEBAIN_UPSTREAM}) but that match no field are errors, so a typo
 * does not pass silently. Other {@code REPROX_} variables ({@code REPROX_JAVA_OPTS} for the
 * launcher) are not configuration and are left alone.
 */
final class EnvOverrides {
  static final String PREFIX = ReproxEnvironment.PREFIX;

  private EnvOverrides() {}

  /**
   * @param origins receives field path → variable name, for error messages
   * @param errors receives variables that look like configuration but match no field
   */
  static void apply(ObjectNode root, Map<String, String> env, Map<String, String> origins,
      List<String> errors) {
    for (Map.Entry<String, String> entry : new TreeMap<>(env).entrySet()) {
      String variable = entry.getKey();
      // Which variables are configuration is decided in one place: a client command asks the same.
      if (!ReproxEnvironment.isConfiguration(variable)) {
        continue;
      }
      String rest = variable.substring(PREFIX.length());
      if (rest.startsWith("THREADS_")) {
        // REPROX_THREADS_STORAGE, REPROX_THREADS_ROOT_FETCH ...: a section like log:, so a typo is an error.
        String field = rest.substring("THREADS_".length()).toLowerCase(Locale.ROOT).replace('_', '-');
        if (!ThreadsValidator.KEYS.contains(field)) {
          errors.add(variable + ": not a configuration path (threads: " + String.join(", ", ThreadsValidator.KEYS)
              + ")");
          continue;
        }
        setInSection(root, "threads", field, entry.getValue(), variable, origins);
        continue;
      }
      if (rest.startsWith("SERVER_")) {
        // REPROX_SERVER_TRANSPORT: a section like threads:, so a typo is an error.
        String field = rest.substring("SERVER_".length()).toLowerCase(Locale.ROOT).replace('_', '-');
        if (!ConfigValidator.SERVER_KEYS.contains(field)) {
          errors.add(variable + ": not a configuration path (known: REPROX_SERVER_TRANSPORT)");
          continue;
        }
        setInSection(root, "server", field, entry.getValue(), variable, origins);
        continue;
      }
      if (rest.startsWith("LOG_")) {
        // REPROX_LOG_FORMAT, REPROX_LOG_ACCESS, REPROX_LOG_LEAK_DETECTION; others (REPROX_LOG_LEVEL, read by
        // logback.xml) are not config.
        String field = rest.substring("LOG_".length()).toLowerCase(Locale.ROOT).replace('_', '-');
        setInSection(root, "log", field, entry.getValue(), variable, origins);
        continue;
      }
      if (rest.startsWith("BUILDS_")) {
        String field = rest.substring("BUILDS_".length()).toLowerCase(Locale.ROOT).replace('_', '-');
        if (!ConfigValidator.BUILDS_KEYS.contains(field)) {
          errors.add(variable + ": not a configuration path (known: REPROX_BUILDS_RETENTION, REPROX_BUILDS_MAX_LABELS)");
          continue;
        }
        JsonNode existing = root.get("builds");
        ObjectNode builds = existing instanceof ObjectNode o ? o : root.putObject("builds");
        builds.set(field, entry.getValue().isEmpty() ? JsonNodeFactory.instance.nullNode()
            : JsonNodeFactory.instance.textNode(entry.getValue()));
        origins.put("builds." + field, variable);
        continue;
      }
      if (rest.startsWith("RETENTION_")) {
        // REPROX_RETENTION_KEEP, _MAX_SIZE, _SCHEDULE; per-repository overrides live in the file only.
        String field = rest.substring("RETENTION_".length()).toLowerCase(Locale.ROOT).replace('_', '-');
        if (!RetentionValidator.KEYS.contains(field) || field.equals("repositories")) {
          errors.add(variable + ": not a configuration path (known: REPROX_RETENTION_KEEP, "
              + "REPROX_RETENTION_MAX_SIZE, REPROX_RETENTION_SCHEDULE)");
          continue;
        }
        JsonNode existing = root.get("retention");
        ObjectNode retention = existing instanceof ObjectNode o ? o : root.putObject("retention");
        retention.set(field, entry.getValue().isEmpty() ? JsonNodeFactory.instance.nullNode()
            : JsonNodeFactory.instance.textNode(entry.getValue()));
        origins.put("retention." + field, variable);
        continue;
      }
      JsonNode value = entry.getValue().isEmpty()
          ? JsonNodeFactory.instance.nullNode()
          : JsonNodeFactory.instance.textNode(entry.getValue());
      String top = rest.toLowerCase(Locale.ROOT).replace('_', '-');
      String api = apiField(rest);
      if (api != null) {
        applyApi(root, variable, api, value, origins, errors);
      } else if (rest.startsWith("STORAGE_")) {
        applyStorage(root, variable, rest.substring("STORAGE_".length()), value, origins, errors);
      } else if (ConfigValidator.KEYS.contains(top) && !top.equals("repositories") && !top.equals("api")) {
        root.set(top, value);
        origins.put(top, variable);
      } else if (rest.startsWith("REPOSITORIES_")) {
        applyRepository(root, variable, rest.substring("REPOSITORIES_".length()), value, origins,
            errors);
      } else {
        errors.add(variable + ": not a configuration path (known: REPROX_LISTEN, REPROX_DATA, "
            + "REPROX_OFFLINE, REPROX_MAX_CONNECTIONS, REPROX_TUNNEL_ALLOW, REPROX_LOG_FORMAT, REPROX_LOG_ACCESS, "
            + "REPROX_LOG_LEAK_DETECTION, REPROX_THREADS_<KEY>, REPROX_SERVER_TRANSPORT, "
            + "REPROX_ADMIN_TOKEN[_FILE], REPROX_READ_TOKEN[_FILE], REPROX_REPOSITORIES_<NAME>_<FIELD>,"
            + " REPROX_STORAGE_<FIELD>)");
      }
    }
  }

  /** Sets {@code section.field} (an empty value: not set), creating the section's mapping if needed. */
  private static void setInSection(ObjectNode root, String section, String field, String value, String variable,
      Map<String, String> origins) {
    JsonNode existing = root.get(section);
    ObjectNode node = existing instanceof ObjectNode o ? o : root.putObject(section);
    node.set(field, value.isEmpty() ? JsonNodeFactory.instance.nullNode() : JsonNodeFactory.instance.textNode(value));
    origins.put(section + "." + field, variable);
  }

  /**
   * The {@code api.} field that {@code REPROX_API_ADMIN_TOKEN} (the derived form) or the shorter
   * {@code REPROX_ADMIN_TOKEN} names, or null.
   */
  private static String apiField(String rest) {
    String field = rest.startsWith("API_") ? rest.substring("API_".length()) : rest;
    for (String key : ApiValidator.KEYS) {
      if (upper(key).equals(field)) {
        return key;
      }
    }
    return null;
  }

  // Both spellings of one field with different values: which one wins would be an accident of order.
  private static void applyApi(ObjectNode root, String variable, String field, JsonNode value,
      Map<String, String> origins, List<String> errors) {
    String path = "api." + field;
    String earlier = origins.get(path);
    JsonNode existing = root.get("api");
    if (existing != null && !existing.isNull() && !existing.isObject()) {
      return; // the file's api: is not a mapping; validation says so
    }
    ObjectNode api = existing instanceof ObjectNode o ? o : root.putObject("api");
    if (earlier != null && !api.path(field).equals(value)) {
      errors.add(variable + ": " + earlier + " sets " + path + " too, to another value: set one of them");
      return;
    }
    api.set(field, value);
    origins.put(path, variable);
  }

  /**
   * {@code REPROX_STORAGE_TYPE}, {@code REPROX_STORAGE_POSTGRES_PASSWORD}, {@code
   * REPROX_STORAGE_S3_SECRET_KEY_FILE}, {@code REPROX_STORAGE_LOCAL_CACHE_MAX_SIZE}: the storage
   * field paths, each of which is spelled one way only.
   */
  private static void applyStorage(ObjectNode root, String variable, String rest, JsonNode value,
      Map<String, String> origins, List<String> errors) {
    if (rest.equals("TYPE") || rest.equals("FILL_LEASE") || rest.equals("BLOB_FILES")) {
      String key = rest.equals("TYPE") ? "type" : rest.equals("FILL_LEASE") ? "fill-lease" : "blob-files";
      ObjectNode storage = storageNode(root, null);
      if (storage != null) {
        storage.set(key, value);
        origins.put("storage." + key, variable);
      }
      return;
    }
    Map<String, List<String>> sections = Map.of("postgres", StorageValidator.POSTGRES_KEYS, "s3",
        StorageValidator.S3_KEYS, "local-cache", StorageValidator.LOCAL_CACHE_KEYS);
    for (Map.Entry<String, List<String>> section : new TreeMap<>(sections).entrySet()) {
      for (String key : section.getValue()) {
        if ((upper(section.getKey()) + "_" + upper(key)).equals(rest)) {
          ObjectNode node = storageNode(root, section.getKey());
          if (node != null) {
            node.set(key, value);
            origins.put("storage." + section.getKey() + "." + key, variable);
          }
          return;
        }
      }
    }
    errors.add(variable + ": matches no storage field (REPROX_STORAGE_TYPE, REPROX_STORAGE_FILL_LEASE,"
        + " REPROX_STORAGE_BLOB_FILES,"
        + " REPROX_STORAGE_POSTGRES_<FIELD>,"
        + " REPROX_STORAGE_S3_<FIELD>, REPROX_STORAGE_LOCAL_CACHE_<FIELD>)");
  }

  /** {@code storage:} (section null) or one of its sections, created when absent; null when the file's is not a mapping. */
  private static ObjectNode storageNode(ObjectNode root, String section) {
    JsonNode existing = root.get("storage");
    if (existing != null && !existing.isNull() && !existing.isObject()) {
      return null; // validation reports it
    }
    ObjectNode storage = existing instanceof ObjectNode o ? o : root.putObject("storage");
    if (section == null) {
      return storage;
    }
    JsonNode inner = storage.get(section);
    if (inner != null && !inner.isNull() && !inner.isObject()) {
      return null;
    }
    return inner instanceof ObjectNode o ? o : storage.putObject(section);
  }

  private static void applyRepository(ObjectNode root, String variable, String rest,
      JsonNode value, Map<String, String> origins, List<String> errors) {
    JsonNode repositories = root.get("repositories");
    List<String> names = new ArrayList<>();
    if (repositories != null && repositories.isObject()) {
      repositories.fieldNames().forEachRemaining(names::add);
    }
    List<String[]> matches = new ArrayList<>();
    for (String name : names) {
      String prefix = upper(name) + "_";
      if (!rest.startsWith(prefix)) {
        continue;
      }
      String fieldWord = rest.substring(prefix.length());
      for (String field : RepositoryValidator.KEYS) {
        if (upper(field).equals(fieldWord)) {
          matches.add(new String[] {name, field});
        }
      }
    }
    if (matches.size() == 1 && repositories.get(matches.get(0)[0]) instanceof ObjectNode repo) {
      String[] match = matches.get(0);
      repo.set(match[1], value);
      origins.put("repositories." + match[0] + "." + match[1], variable);
    } else if (matches.size() > 1) {
      errors.add(variable + ": ambiguous, matches repositories "
          + String.join(" and ", matches.stream().map(m -> m[0]).toList()));
    } else if (matches.isEmpty()) {
      errors.add(variable + ": matches no repository and field (repositories: "
          + String.join(", ", names) + "; fields: "
          + String.join(", ", RepositoryValidator.KEYS.stream().map(EnvOverrides::upper).toList())
          + ")");
    }
    // One match on a repository that is not a mapping: validation reports that repository.
  }

  private static String upper(String key) {
    return key.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
  }
}
