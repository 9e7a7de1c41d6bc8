package dev.reprox.pinning.apt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.pinning.Fixtures;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReleaseFileTest {

  @Test
  void parse_bookwormRelease_readsHeaderFields() throws Exception {
    ReleaseFile r = ReleaseFile.parse(Fixtures.bytes("real/debian/bookworm/Release"));

    assertThat(r.publishedAt()).isEqualTo(Instant.parse("2026-07-11T10:16:37Z"));
    assertThat(r.suite()).isEqualTo("oldstable");
    assertThat(r.codename()).isEqualTo("bookworm");
    assertThat(r.acquireByHash()).isTrue();
    assertThat(r.validUntil()).isEmpty();
  }

  @Test
  void parse_bookwormRelease_readsSha256TableWithMd5Aliases() throws Exception {
    ReleaseFile r = ReleaseFile.parse(Fixtures.bytes("real/debian/bookworm/Release"));

    assertThat(r.files()).hasSize(772);
    ListedFile packages = r.files().get("main/binary-amd64/Packages.xz");
    assertThat(packages.sha256())
        .isEqualTo(Digest.sha256("9e0b5aabb2465b3d2e7a7fe27f9913846277833f7a2826e7767acccff5b588c5"));
    assertThat(packages.size()).isEqualTo(8790396);
    assertThat(packages.aliases()).containsExactly(Alias.ofHex(Alias.Kind.MD5, "b838d31986207780a596ce3e8010f90f"));
  }

  @Test
  void parse_validUntilAndOffsetDate_parsed() throws Exception {
    ReleaseFile r = ReleaseFile.parse(("Suite: x\nDate: Thu, 1 Feb 2024 08:00:00 +0100\n"
        + "Valid-Until: Thu, 08 Feb 2024 07:00:00 GMT\n").getBytes(StandardCharsets.UTF_8));

    assertThat(r.publishedAt()).isEqualTo(Instant.parse("2024-02-01T07:00:00Z"));
    assertThat(r.validUntil()).contains(Instant.parse("2024-02-08T07:00:00Z"));
    assertThat(r.files()).isEmpty();
  }

  @Test
  void parse_noDate_throws() {
    assertThatThrownBy(() -> ReleaseFile.parse("Suite: x\n".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IndexParseException.class).hasMessageContaining("no Date");
  }

  @Test
  void parse_badDate_throwsNamingTheValue() {
    assertThatThrownBy(() -> ReleaseFile.parse("Date: yesterday\n".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IndexParseException.class).hasMessageContaining("yesterday");
  }

  @Test
  void parse_badTableRow_throws() {
    String text = "Date: Sat, 11 Jul 2026 10:16:37 UTC\nSHA256:\n abc 12 main/Packages\n";
    assertThatThrownBy(() -> ReleaseFile.parse(text.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IndexParseException.class).hasMessageContaining("SHA256");
  }

  @Test
  void parse_randomBytes_neverThrowsRuntimeException() {
    Random random = new Random(42);
    byte[] release = Fixtures.bytes("real/debian/bookworm/Release");
    for (int i = 0; i < 200; i++) {
      byte[] junk = new byte[random.nextInt(300)];
      random.nextBytes(junk);
      byte[] mutated = release.clone();
      mutated[random.nextInt(2000)] = (byte) random.nextInt(256);
      for (byte[] input : new byte[][] {junk, mutated}) {
        try {
          ReleaseFile.parse(input);
        } catch (IndexParseException expected) {
          assertThat(expected).hasMessageStartingWith("parse Release");
        }
      }
    }
  }
}
