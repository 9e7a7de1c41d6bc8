package dev.reprox.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parse_eachUnit() {
    assertThat(Durations.parse("500ms")).contains(Duration.ofMillis(500));
    assertThat(Durations.parse("60s")).contains(Duration.ofSeconds(60));
    assertThat(Durations.parse("5m")).contains(Duration.ofMinutes(5));
    assertThat(Durations.parse("1h")).contains(Duration.ofHours(1));
    assertThat(Durations.parse("7d")).contains(Duration.ofDays(7));
  }

  @Test
  void parse_malformed_isEmpty() {
    assertThat(Durations.parse("60")).isEmpty();
    assertThat(Durations.parse("1.5s")).isEmpty();
    assertThat(Durations.parse("-1s")).isEmpty();
    assertThat(Durations.parse("PT1S")).isEmpty();
  }

  @Test
  void format_largestExactUnit_parsesBack() {
    for (Duration d : new Duration[] {Duration.ofMillis(1500), Duration.ofSeconds(90),
        Duration.ofMinutes(120), Duration.ofDays(2), Duration.ZERO}) {
      assertThat(Durations.parse(Durations.format(d))).contains(d);
    }
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Durations.format(Duration.ofMinutes(120))).isEqualTo("2h");
  }
}
