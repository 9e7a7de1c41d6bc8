package dev.reprox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link ReproxEnvironment}: what a client command asks before deciding to load the configuration
 * must be what the loader itself applies or rejects, or a bad variable would slip past a client.
 */
class ReproxEnvironmentTest {
  private static ReproxConfig load(String variable, String value) throws ConfigException {
    return ConfigLoader.load(Optional.empty(), Map.of(variable, value), ConfigLoader.Overrides.none());
  }

  /** The errors of {@code check}, or of the full load: empty when valid. */
  private static List<String> errors(Executable e) {
    try {
      e.run();
      return List.of();
    } catch (ConfigException x) {
      return x.errors();
    }
  }

  private interface Executable {
    void run() throws ConfigException;
  }

  @Test
  void check_sameErrorsAsTheFullLoad_validOrNot() {
    List<Map<String, String>> envs = List.of(Map.of(), Map.of("REPROX_JAVA_OPTS", "-Xmx1g"),
        Map.of("REPROX_ADMIN_TOKEN", "tok", "REPROX_LOG_FORMAT", "json"), Map.of("REPROX_ADMIN_TOKEN", "two words"),
        Map.of("REPROX_ADMIN_TOKN", "tok"), Map.of("REPROX_ADMIN_TOKEN", "a", "REPROX_API_ADMIN_TOKEN", "b"),
        Map.of("REPROX_ADMIN_TOKEN_FILE", "/nonexistent/token"), Map.of("REPROX_LISTEN", "nowhere"),
        Map.of("REPROX_MAX_CONNECTIONS", "many", "REPROX_OFFLINE", "perhaps"), Map.of("REPROX_STORAGE_TYPE", "postgres"),
        Map.of("REPROX_RETENTION_KEEP", "forever"), Map.of("REPROX_THREADS_NOPE", "1"),
        Map.of("REPROX_SERVER_TRANSPORT", "kqueue"), Map.of("REPROX_SERVER_NOPE", "nio"),
        Map.of("REPROX_REPOSITORIES_DEBIAN_UPSTREAM", "ftp:/x"), Map.of("REPROX_REPOSITORIES_NOPE_UPSTREAM", "http://x"));
    for (Map<String, String> env : envs) {
      List<String> full = errors(() -> ConfigLoader.load(Optional.empty(), env, ConfigLoader.Overrides.none()));
      assertThat(errors(() -> ReproxEnvironment.check(env))).as(env.toString()).isEqualTo(full);
    }
    assertThat(errors(() -> ReproxEnvironment.check(Map.of("REPROX_ADMIN_TOKEN", "two words")))).singleElement()
        .asString().contains("(set by REPROX_ADMIN_TOKEN)");
  }

  @Test
  void configures_notConfiguration_leftAloneByTheLoaderToo() throws Exception {
    for (String v : List.of("REPROX_JAVA_OPTS", "REPROX_LOG_LEVEL", "REPROX_THREADS", "REPROX_RETENTION", "PATH",
        "REPROXY_ADMIN_TOKEN")) {
      assertThat(ReproxEnvironment.configures(Map.of(v, "x y"))).as(v).isFalse();
      assertThat(load(v, "x y")).as(v).isEqualTo(ConfigLoader.builtin());
    }
  }

  @Test
  void configures_configurationValidOrNot_theLoaderAppliesOrRejectsIt() throws Exception {
    assertThat(ReproxEnvironment.configures(Map.of("REPROX_ADMIN_TOKEN", "tok"))).isTrue();
    assertThat(load("REPROX_ADMIN_TOKEN", "tok").api().adminToken()).isPresent();
    assertThat(ReproxEnvironment.configures(Map.of("REPROX_LOG_FORMAT", "json"))).isTrue();
    for (String v : List.of("REPROX_ADMIN_TOKN", "REPROX_THREADS_NOPE", "REPROX_RETENTION_NOPE", "REPROX_BUILDS_NOPE",
        "REPROX_STORAGE_NOPE", "REPROX_REPOSITORIES_NOPE_UPSTREAM", "REPROX_DATA_DIR", "REPROX_LOG_FORMAT",
        "REPROX_SERVER_TRANSPORT", "REPROX_SERVER_NOPE")) {
      assertThat(ReproxEnvironment.configures(Map.of("PATH", "/bin", v, "bad value"))).as(v).isTrue();
      assertThatThrownBy(() -> load(v, "bad value")).as(v).isInstanceOf(ConfigException.class)
          .hasMessageContaining(v);
    }
  }
}
