package dev.reprox.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which {@code REPROX_} environment variables are configuration ({@link EnvOverrides} applies
 * them, or reports them as matching no field) and which are not ({@code REPROX_JAVA_OPTS} for the
 * launcher, {@code REPROX_LOG_LEVEL} for logback.xml). Plain string tests, no YAML: a command that
 * otherwise needs no configuration (a client of a running server) asks this first and loads the
 * configuration only when the environment sets some, so that a bad variable is rejected there as
 * {@code serve} rejects it, at no cost when none is set.
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
    return rest.startsWith("THREADS_") || rest.startsWith("RETENTION_") || CONFIG_WORDS.contains(rest.split("_", 2)[0]);
  }
}
