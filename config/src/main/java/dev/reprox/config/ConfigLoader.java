package dev.reprox.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.InetSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the effective configuration: built-in repositories, then the file given with
 * {@code --config} (a repository of the same name replaces the built-in one), then
 * {@code REPROX_…} environment overrides, then CLI flags.
 *
 * <p>The layers are merged as YAML trees and validated once, so every value, wherever it came
 * from, passes the same checks and every error names its field path. A relative keyring path in
 * the file is relative to the file's directory (the file travels with its keys); relative paths
 * from the environment, the CLI and {@code data:} are relative to the working directory, like any
 * other command-line path.
 */
public final class ConfigLoader {
  static final String BUILTIN_RESOURCE = "dev/reprox/config/builtin.yaml";

  /** CLI flags that win over everything; empty means not given. */
  public record Overrides(Optional<InetSocketAddress> listen, Optional<Path> data, Optional<Boolean> offline) {
    public static Overrides none() {
      return new Overrides(Optional.empty(), Optional.empty(), Optional.empty());
    }
  }

  private ConfigLoader() {}

  /**
   * @param file the {@code --config} file, if any
   * @param env the environment (pass {@code System.getenv()}; tests pass a map)
   * @throws ConfigException with every error found, each naming its field path (or, for YAML
   *     syntax errors, the file, line and column)
   */
  public static ReproxConfig load(Optional<Path> file, Map<String, String> env, Overrides overrides)
      throws ConfigException {
    ObjectNode root = YamlSource.readResource(BUILTIN_RESOURCE);
    if (file.isPresent()) {
      ObjectNode fromFile = YamlSource.readFile(file.get());
      resolveKeyringPaths(fromFile, file.get().toAbsolutePath().getParent());
      resolveTokenFiles(fromFile, file.get().toAbsolutePath().getParent());
      resolveStorageFiles(fromFile, file.get().toAbsolutePath().getParent());
      merge(root, fromFile);
    }
    Map<String, String> origins = new HashMap<>();
    List<String> errors = new ArrayList<>();
    EnvOverrides.apply(root, env, origins, errors);
    applyOverrides(root, overrides, origins);
    return new ConfigValidator(new Fields(errors, origins)).validate(root);
  }

  /** The built-in defaults alone, as if no file and no environment were given. */
  public static ReproxConfig builtin() {
    try {
      return load(Optional.empty(), Map.of(), Overrides.none());
    } catch (ConfigException e) {
      throw new IllegalStateException("built-in configuration is invalid: " + e.getMessage(), e);
    }
  }

  // A repository in the file replaces the built-in one whole: mixing fields of two definitions
  // (say, a user's upstream with the built-in keyring) would verify against keys nobody chose.
  private static void merge(ObjectNode base, ObjectNode file) {
    for (Iterator<Map.Entry<String, JsonNode>> it = file.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      JsonNode current = base.get(entry.getKey());
      if (entry.getKey().equals("repositories") && current instanceof ObjectNode repositories
          && entry.getValue().isObject()) {
        entry.getValue().fields().forEachRemaining(r -> repositories.set(r.getKey(), r.getValue()));
      } else {
        base.set(entry.getKey(), entry.getValue());
      }
    }
  }

  private static void resolveKeyringPaths(ObjectNode file, Path dir) {
    JsonNode repositories = file.get("repositories");
    if (repositories == null || !repositories.isObject()) {
      return;
    }
    repositories.forEach(repository -> {
      JsonNode keyring = repository.get("keyring");
      if (!(repository instanceof ObjectNode repo) || keyring == null || !keyring.isTextual()) {
        return;
      }
      String spec = keyring.asText().strip();
      if (spec.isEmpty() || spec.equals("none") || spec.startsWith("builtin:")) {
        return;
      }
      try {
        repo.put("keyring", dir.resolve(spec).normalize().toString());
      } catch (InvalidPathException e) {
        // left as written; validation names the field
      }
    });
  }

  // Like the token files: storage secrets named in the config file sit beside it.
  private static void resolveStorageFiles(ObjectNode file, Path dir) {
    if (!(file.get("storage") instanceof ObjectNode storage)) {
      return;
    }
    for (String[] field : List.of(new String[] {"postgres", "password-file"}, new String[] {"s3", "access-key-file"},
        new String[] {"s3", "secret-key-file"})) {
      JsonNode name = storage.get(field[0]) instanceof ObjectNode s ? s.get(field[1]) : null;
      if (name != null && name.isTextual() && !name.asText().isBlank()) {
        ObjectNode section = (ObjectNode) storage.get(field[0]);
        try {
          section.put(field[1], dir.resolve(name.asText().strip()).normalize().toString());
        } catch (InvalidPathException e) {
          // left as written; validation names the field
        }
      }
    }
  }

  // Like keyrings: a token file named in the config file sits beside it (a mounted secret's
  // absolute path is unaffected).
  private static void resolveTokenFiles(ObjectNode file, Path dir) {
    if (!(file.get("api") instanceof ObjectNode api)) {
      return;
    }
    for (String key : List.of("admin-token-file", "read-token-file")) {
      JsonNode name = api.get(key);
      if (name != null && name.isTextual() && !name.asText().isBlank()) {
        try {
          api.put(key, dir.resolve(name.asText().strip()).normalize().toString());
        } catch (InvalidPathException e) {
          // left as written; validation names the field
        }
      }
    }
  }

  private static void applyOverrides(ObjectNode root, Overrides overrides, Map<String, String> origins) {
    overrides.listen().ifPresent(listen -> {
      root.set("listen", TextNode.valueOf(HostPort.format(listen)));
      origins.put("listen", "--listen");
    });
    overrides.data().ifPresent(data -> {
      root.set("data", TextNode.valueOf(data.toString()));
      origins.put("data", "--data");
    });
    overrides.offline().ifPresent(offline -> {
      root.set("offline", BooleanNode.valueOf(offline));
      origins.put("offline", "--offline");
    });
  }
}
