package dev.reprox.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RequestPathTest {
  @ParameterizedTest
  @ValueSource(strings = {
      "/debian/../etc/passwd",
      "/debian/./x",
      "/debian/..",
      "/debian/%2e%2e/x",
      "/debian/%2E%2E/x",
      "/debian/.%2e/x",
      "/debian/a%2fb",
      "/debian/a%2Fb",
      "/debian/a%5cb",
      "/debian/a\\b",
      "/debian/a%00b",
      "/debian/a%0ab",
      "//etc/passwd",
      "/debian//x",
      "debian/x",
      "/debian/%c0%ae%c0%ae/x",
      "/debian/%c0%af",
      "/debian/%ff",
      "/debian/%e2%82",
      "/debian/%zz",
      "/debian/%2",
      "/debian/a b",
      "/debian/\u00e9",
  })
  void parse_unsafe_throws(String target) {
    assertThatThrownBy(() -> RequestPath.parse(target)).isInstanceOf(RequestPath.Unsafe.class);
  }

  @Test
  void parse_overlong_throws() {
    assertThatThrownBy(() -> RequestPath.parse("/debian/" + "a".repeat(RequestPath.MAX_LENGTH)))
        .isInstanceOf(RequestPath.Unsafe.class)
        .hasMessageContaining("longer");
  }

  @Test
  void parse_plainPath_splitsAndDecodes() throws Exception {
    RequestPath p = RequestPath.parse("/debian/pool/main/g/gcc/libstdc%2B%2B6_12.2.0~rc1_amd64.deb?x=1");
    assertThat(p.segments()).containsExactly("debian", "pool", "main", "g", "gcc", "libstdc++6_12.2.0~rc1_amd64.deb");
    assertThat(p.first()).isEqualTo("debian");
    assertThat(p.rest()).isEqualTo("pool/main/g/gcc/libstdc++6_12.2.0~rc1_amd64.deb");
  }

  @Test
  void parse_utf8_decodes() throws Exception {
    assertThat(RequestPath.parse("/r/caf%C3%A9").segments()).isEqualTo(List.of("r", "café"));
  }

  @Test
  void parse_trailingSlash_keepsSegments() throws Exception {
    assertThat(RequestPath.parse("/debian/dists/").segments()).containsExactly("debian", "dists");
    assertThat(RequestPath.parse("/").segments()).isEmpty();
  }
}
