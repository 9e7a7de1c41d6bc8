package dev.reprox.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which {@code REPROX_} environment variables are configuration ({@link EnvOverrides} applies
 * them, or reports them as matching no field) and which are not ({@code REPROX_JAVA_OPTS} for the
 * launcher, {@code REPROX_LOG_LEVEL} for logback.xml). A command that otherwise needs no
 * configuration (a client of a running server) {@link #check}s the environment, so that a bad
 * variable is rejected there as {@code serve} rejects it, at no cost when none is set.
 */
public final class ReproxEnvironment {
  static final String PREFIX = "REPROX_";
  /** The {@code log:} keys, settable as {@code REPROX_LOG_<KEY>}. */
  static final List<String> LOG_KEYS = List.of("access", "format", "leak-detection");
  /** First words of the variables that name top-level keys; a variable starting with one must match a field. */
  private static final Set<String> CONFIG_WORDS =
      Set.of("LISTEN", "DATA", "OFFLINE", "MAX", "REPOSITORIES", "REPOSITORY", "REPOS", "REPO", "TUNNEL",
          "API", "ADMIN", "READ", "BUILDS", "STORAGE");

  private ReproxEnvironment() {}

  /**
   * Throws the errors {@link ConfigLoader#load} without a file throws for {@code env}, the same
   * messages. Without a {@code REPROX_REPOSITORIES_} variable the built-in repositories cannot
   * change them (builtin.yaml holds nothing else), so only the environment's values are validated:
   * neither the built-ins' YAML nor their keyrings are read (the full load took {@code reprox
   * generations} from 0.6 to 0.94 s of CPU for its {@code REPROX_ADMIN_TOKEN}; this, 0.62 s).
   * Nothing at all when no variable is configuration.
   */
  public static void check(Map<String, String> env) throws ConfigException {
    if (!configures(env)) {
      return;
    }
    if (env.keySet().stream().anyMatch(v -> v.startsWith(PREFIX + "REPOSITORIES_"))) {
      ConfigLoader.load(Optional.empty(), env, ConfigLoader.Overrides.none());
      return;
    }
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    Map<String, String> origins = new HashMap<>();
    List<String> errors = new ArrayList<>();
    EnvOverrides.apply(root, env, origins, errors);
    new ConfigValidator(new Fields(errors, origins)).validate(root);
  }

  /** True when {@code env} holds a variable that is configuration (valid or not). */
  public static boolean configures(Map<String, String> env) {
    for (String variable : env.keySet()) {
      if (isConfiguration(variable)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@link EnvOverrides} applies {@code variable} or reports it; false for what it leaves alone. */
  static boolean isConfiguration(String variable) {
    if (!variable.startsWith(PREFIX)) {
      return false;
    }
    String rest = variable.substring(PREFIX.length());
    if (rest.startsWith("LOG_")) {
      return LOG_KEYS.contains(rest.substring("LOG_".length()).toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    return rest.startsWith("THREADS_") || rest.startsWith("RETENTION_") || rest.startsWith("SERVER_")
        || CONFIG_WORDS.contains(rest.split("_", 2)[0]);
  }
}
