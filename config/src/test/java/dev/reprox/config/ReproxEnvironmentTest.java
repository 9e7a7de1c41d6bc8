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
        "REPROX_STORAGE_NOPE", "REPROX_REPOSITORIES_NOPE_UPSTREAM", "REPROX_DATA_DIR", "REPROX_LOG_FORMAT")) {
      assertThat(ReproxEnvironment.configures(Map.of("PATH", "/bin", v, "bad value"))).as(v).isTrue();
      assertThatThrownBy(() -> load(v, "bad value")).as(v).isInstanceOf(ConfigException.class)
          .hasMessageContaining(v);
    }
  }
}
