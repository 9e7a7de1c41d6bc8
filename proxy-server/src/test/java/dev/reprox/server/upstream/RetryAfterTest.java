package dev.reprox.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  private static final Instant NOW = Instant.parse("2024-03-01T12:00:00Z");

  @Test
  void parse_seconds() {
    assertThat(RetryAfter.parse(Optional.of(" 120 "), NOW)).contains(Duration.ofSeconds(120));
  }

  @Test
  void parse_httpDate_isTheTimeUntilThen() {
    assertThat(RetryAfter.parse(Optional.of("Fri, 01 Mar 2024 12:00:30 GMT"), NOW))
        .contains(Duration.ofSeconds(30));
  }

  @Test
  void parse_httpDateInThePast_isZero() {
    assertThat(RetryAfter.parse(Optional.of("Fri, 01 Mar 2024 11:00:00 GMT"), NOW)).contains(Duration.ZERO);
  }

  @Test
  void parse_absentOrGarbage_isEmpty() {
    assertThat(RetryAfter.parse(Optional.empty(), NOW)).isEmpty();
    assertThat(RetryAfter.parse(Optional.of("soon"), NOW)).isEmpty();
    assertThat(RetryAfter.parse(Optional.of("-5"), NOW)).isEmpty();
  }
}
