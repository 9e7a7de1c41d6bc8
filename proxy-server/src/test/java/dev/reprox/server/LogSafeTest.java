package dev.reprox.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {
  @Test
  void escape_plainText_unchanged() {
    assertThat(LogSafe.escape("debian/@2024-03-01T00:00:00Z/pool/main/h/hello_2.10-3_amd64.deb?x=1&y"))
        .isEqualTo("debian/@2024-03-01T00:00:00Z/pool/main/h/hello_2.10-3_amd64.deb?x=1&y");
    assertThat(LogSafe.escape("Grüße/日本語/😀")).isEqualTo("Grüße/日本語/😀");
    assertThat(LogSafe.escape(null)).isEqualTo("null");
  }

  @Test
  void escape_c0DelAndC1_hex() {
    assertThat(LogSafe.escape("a\u001b[31mb")).isEqualTo("a\\x1b[31mb");
    assertThat(LogSafe.escape("line\r\nforged INFO")).isEqualTo("line\\x0d\\x0aforged INFO");
    assertThat(LogSafe.escape("\u0000\u007f\u0085\u009b")).isEqualTo("\\x00\\x7f\\x85\\x9b");
  }

  @Test
  void escape_separatorsAndFormatCharacters_unicode() {
    assertThat(LogSafe.escape("a\u2028b\u2029c")).isEqualTo("a\\u2028b\\u2029c");
    assertThat(LogSafe.escape("x\u202eexe.txt")).isEqualTo("x\\u202eexe.txt"); // bidi override
    assertThat(LogSafe.escape("\ufeffbom")).isEqualTo("\\ufeffbom");
  }

  @Test
  void escape_backslash_doubled_soEscapesAreUnambiguous() {
    assertThat(LogSafe.escape("a\\x1b")).isEqualTo("a\\\\x1b");
    assertThat(LogSafe.escape("a\\x1b")).isNotEqualTo(LogSafe.escape("a\u001b"));
  }
}
