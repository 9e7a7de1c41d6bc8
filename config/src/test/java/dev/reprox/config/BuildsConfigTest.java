package dev.reprox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.config.ConfigLoader.Overrides;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code builds:}: build-record retention and the label bound, validated, with their environment forms. */
class BuildsConfigTest {
  @TempDir Path dir;

  private ReproxConfig load(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("reprox.yaml");
    Files.writeString(file, yaml);
    return ConfigLoader.load(Optional.of(file), env, Overrides.none());
  }

  @Test
  void builds_absent_defaults90DaysAnd10000Labels() throws Exception {
    assertThat(ConfigLoader.builtin().builds()).isEqualTo(new ReproxConfig.Builds(Duration.ofDays(90), 10_000));
  }

  @Test
  void builds_fileAndEnvironment_loaded() throws Exception {
    ReproxConfig config = load("builds:\n  retention: 30d\n  max-labels: 50\n", Map.of("REPROX_BUILDS_MAX_LABELS", "70"));

    assertThat(config.builds()).isEqualTo(new ReproxConfig.Builds(Duration.ofDays(30), 70));
    assertThat(ConfigPrinter.toYaml(config)).contains("retention: 30d", "max-labels: 70");
  }

  @Test
  void builds_outOfRange_everyErrorNamesItsField() {
    assertThatThrownBy(() -> load("builds:\n  retention: 1h\n  max-labels: 0\n  keep: 3\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("builds.retention: must be a duration from 1d to 3650d")
        .hasMessageContaining("builds.max-labels: must be a whole number from 1 to 1000000")
        .hasMessageContaining("builds.keep");
  }

  @Test
  void builds_unknownEnvironmentField_isAnError() {
    assertThatThrownBy(() -> load("{}\n", Map.of("REPROX_BUILDS_RETENTON", "3d")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("REPROX_BUILDS_RETENTON");
  }
}
