package dev.reprox.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteRangeTest {
  @Test
  void parse_closedRange_clampsToSize() {
    assertThat(ByteRange.parse("bytes=10-19", 100)).isEqualTo(new ByteRange(10, 19));
    assertThat(ByteRange.parse("bytes=90-200", 100)).isEqualTo(new ByteRange(90, 99));
    assertThat(ByteRange.parse("bytes=5-5", 100)).isEqualTo(new ByteRange(5, 5));
  }

  @Test
  void parse_openAndSuffix() {
    assertThat(ByteRange.parse("bytes=95-", 100)).isEqualTo(new ByteRange(95, 99));
    assertThat(ByteRange.parse("bytes=0-", 100)).isEqualTo(new ByteRange(0, 99));
    assertThat(ByteRange.parse("bytes=-10", 100)).isEqualTo(new ByteRange(90, 99));
    assertThat(ByteRange.parse("bytes=-1000", 100)).isEqualTo(new ByteRange(0, 99));
  }

  @Test
  void parse_beyondEnd_unsatisfiable() {
    assertThat(ByteRange.parse("bytes=100-", 100)).isSameAs(ByteRange.UNSATISFIABLE);
    assertThat(ByteRange.parse("bytes=-0", 100)).isSameAs(ByteRange.UNSATISFIABLE);
    assertThat(ByteRange.parse("bytes=0-5", 0)).isSameAs(ByteRange.UNSATISFIABLE);
    assertThat(ByteRange.parse("bytes=-5", 0)).isSameAs(ByteRange.UNSATISFIABLE);
  }

  @Test
  void parse_signsAndDoubleDashes_ignored() {
    assertThat(ByteRange.parse("bytes=--5", 100)).isNull();
    assertThat(ByteRange.parse("bytes=+5-+10", 100)).isNull();
    assertThat(ByteRange.parse("bytes=5--10", 100)).isNull();
    assertThat(ByteRange.parse("bytes=-", 100)).isNull();
    assertThat(ByteRange.parse("bytes=5-1", 100)).isNull();
    assertThat(ByteRange.parse("bytes=x-1", 100)).isNull();
    assertThat(ByteRange.parse("bytes=1-2x", 100)).isNull();
    assertThat(ByteRange.parse("bytes=0x1-2", 100)).isNull();
  }

  @Test
  void parse_whitespace_onlyAroundListElements() {
    assertThat(ByteRange.parse("bytes= 10-19 ", 100)).isEqualTo(new ByteRange(10, 19));
    assertThat(ByteRange.parse("bytes=10-19, ", 100)).isEqualTo(new ByteRange(10, 19));
    assertThat(ByteRange.parse("bytes=,10-19", 100)).isEqualTo(new ByteRange(10, 19));
    assertThat(ByteRange.parse("bytes=10 - 19", 100)).isNull();
    assertThat(ByteRange.parse("bytes=- 5", 100)).isNull();
    assertThat(ByteRange.parse("bytes=", 100)).isNull();
    assertThat(ByteRange.parse("bytes=,", 100)).isNull();
  }

  @Test
  void parse_unit_caseInsensitiveBytesOnly() {
    assertThat(ByteRange.parse("Bytes=1-2", 100)).isEqualTo(new ByteRange(1, 2));
    assertThat(ByteRange.parse("items=1-2", 100)).isNull();
    assertThat(ByteRange.parse("bytes 1-2", 100)).isNull();
    assertThat(ByteRange.parse("bytes =1-2", 100)).isNull();
    assertThat(ByteRange.parse(null, 100)).isNull();
  }

  @Test
  void parse_multipleRanges_wholeBody() {
    assertThat(ByteRange.parse("bytes=1-2,5-6", 100)).isNull();
    assertThat(ByteRange.parse("bytes=1-2, -5", 100)).isNull();
    assertThat(ByteRange.parse("bytes=1-2,--5", 100)).isNull();
  }

  @Test
  void parse_overflow_saturates() {
    assertThat(ByteRange.parse("bytes=99999999999999999999-", 100)).isSameAs(ByteRange.UNSATISFIABLE);
    assertThat(ByteRange.parse("bytes=10-99999999999999999999", 100)).isEqualTo(new ByteRange(10, 99));
    assertThat(ByteRange.parse("bytes=-99999999999999999999", 100)).isEqualTo(new ByteRange(0, 99));
    assertThat(ByteRange.parse("bytes=9223372036854775807-9223372036854775807", 100))
        .isSameAs(ByteRange.UNSATISFIABLE);
  }
}
