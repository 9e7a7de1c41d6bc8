package dev.reprox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionConfigTest {
  @TempDir Path dir;

  private ReproxConfig load(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("reprox.yaml");
    Files.writeString(file, yaml);
    return ConfigLoader.load(Optional.of(file), env, ConfigLoader.Overrides.none());
  }

  @Test
  void absent_defaultsToNinetyDays_noCap_noSchedule() throws Exception {
    RetentionConfig r = load("offline: false\n", Map.of()).retention();

    assertThat(r).isEqualTo(RetentionConfig.DEFAULT);
    assertThat(r.keepFor("debian")).isEqualTo(Duration.ofDays(90));
  }

  @Test
  void everyKey_parsed_andARepositoryOverridesKeep() throws Exception {
    RetentionConfig r = load("""
        retention:
          keep: 30d
          max-size: 2GiB
          schedule: 12h
          repositories:
            debian: {keep: 365d}
        """, Map.of()).retention();

    assertThat(r.keepFor("debian")).isEqualTo(Duration.ofDays(365));
    assertThat(r.keepFor("alpine")).isEqualTo(Duration.ofDays(30));
    assertThat(r.maxSize()).hasValue(2L << 30);
    assertThat(r.schedule()).contains(Duration.ofHours(12));
  }

  @Test
  void environment_overridesTheFile() throws Exception {
    RetentionConfig r = load("retention: {keep: 30d}\n",
        Map.of("REPROX_RETENTION_KEEP", "7d", "REPROX_RETENTION_MAX_SIZE", "500MB")).retention();

    assertThat(r.keep()).isEqualTo(Duration.ofDays(7));
    assertThat(r.maxSize()).hasValue(500_000_000L);
  }

  @Test
  void badValues_eachNamedWithItsPath() {
    assertThatThrownBy(() -> load("""
        retention:
          keep: forever
          max-size: 12
          schedule: 10s
          colour: red
          repositories:
            nosuch: {keep: 1d}
        """, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("retention.keep: not a duration")
        .hasMessageContaining("retention.max-size: not a positive size")
        .hasMessageContaining("retention.schedule: not off or a duration of at least 1m")
        .hasMessageContaining("retention.colour: unknown key")
        .hasMessageContaining("retention.repositories.nosuch: no repository of that name");
  }

  @Test
  void printed_readsBackTheSame() throws Exception {
    ReproxConfig c = load("""
        retention:
          keep: 30d
          max-size: 3GiB
          schedule: 1h
          repositories:
            debian: {keep: 2d}
        """, Map.of());
    Files.writeString(dir.resolve("printed.yaml"), ConfigPrinter.toYaml(c));

    ReproxConfig again = ConfigLoader.load(Optional.of(dir.resolve("printed.yaml")), Map.of(),
        ConfigLoader.Overrides.none());

    assertThat(again.retention()).isEqualTo(c.retention());
  }
}
