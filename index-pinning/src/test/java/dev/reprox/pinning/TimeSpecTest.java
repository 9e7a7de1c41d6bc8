package dev.reprox.pinning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimeSpecTest {

  @Test
  void parse_threeForms_sameInstant() throws Exception {
    Instant t = Instant.parse("2024-03-01T00:00:00Z");

    assertThat(TimeSpec.parse("20240301T000000Z")).isEqualTo(t);
    assertThat(TimeSpec.parse("20240301")).isEqualTo(t);
    assertThat(TimeSpec.parse("1709251200")).isEqualTo(t);
  }

  @Test
  void parse_dateTime_keepsSeconds() throws Exception {
    assertThat(TimeSpec.parse("20260711T101637Z")).isEqualTo(Instant.parse("2026-07-11T10:16:37Z"));
  }

  @Test
  void parse_otherForms_throwNamingAcceptedForms() {
    for (String bad : new String[] {"", "2024-03-01", "20240301T0000Z", "yesterday", "-1", "20240230", "20241301T000000Z",
        "1709251200000", "12", "19891231", "22000101"}) {
      assertThatThrownBy(() -> TimeSpec.parse(bad)).as(bad)
          .isInstanceOf(TimeSpecException.class)
          .hasMessageContaining("YYYYMMDDTHHMMSSZ").hasMessageContaining("epoch seconds");
    }
  }

  @Test
  void format_roundTrips() throws Exception {
    Instant t = Instant.parse("2026-07-11T10:16:37Z");

    assertThat(TimeSpec.parse(TimeSpec.format(t))).isEqualTo(t);
    assertThat(TimeSpec.format(t)).isEqualTo("20260711T101637Z");
  }
}
