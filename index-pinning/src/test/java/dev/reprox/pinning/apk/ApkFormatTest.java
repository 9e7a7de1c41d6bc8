package dev.reprox.pinning.apk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.pinning.Fixtures;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.pinning.PathKind;
import dev.reprox.pinning.RootIndex;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ApkFormatTest {
  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String ALPINE_ROOT = "v3.16/main/x86_64/APKINDEX.tar.gz";

  private static ApkFormat format() throws Exception {
    return ApkFormat.builder().verifier(ApkIndexVerifier.builder().keyDirectory(Fixtures.path("keys/apk")).build())
        .clock(CLOCK).build();
  }

  @Test
  void classify_apkPaths() throws Exception {
    ApkFormat apk = format();

    assertThat(apk.classify(ALPINE_ROOT)).isEqualTo(PathKind.ROOT_INDEX);
    assertThat(apk.classify("v3.16/main/x86_64/musl-1.2.3-r0.apk")).isEqualTo(PathKind.PACKAGE);
    assertThat(apk.classify("v3.16/main/x86_64/")).isEqualTo(PathKind.OTHER);
    assertThat(apk.classify("last-updated")).isEqualTo(PathKind.OTHER);
    assertThat(apk.rootGroup(ALPINE_ROOT).orElseThrow().inline()).contains(ALPINE_ROOT);
    assertThat(apk.byHash("v3.16/main/x86_64/musl-1.2.3-r0.apk")).isEmpty();
  }

  @Test
  void verifyRoot_alpine_listsPackagesUnderTheIndexDirectory() throws Exception {
    byte[] bytes = Fixtures.bytes("real/alpine/v3.16-main-x86_64/APKINDEX.tar.gz");

    RootIndex root = format().verifyRoot(ALPINE_ROOT, bytes, null);

    assertThat(root.verified()).isTrue();
    assertThat(root.signer()).isEqualTo("alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub");
    assertThat(root.publishedEstimated()).isFalse();
    assertThat(root.publishedAt()).isBefore(NOW);
    assertThat(root.digest()).isEqualTo(Digest.compute(bytes));
    assertThat(root.files()).hasSize(4929);
    ListedFile f = root.lookup("v3.16/main/x86_64/alpine-baselayout-3.2.0-r23.apk").orElseThrow();
    assertThat(f.size()).isEqualTo(11136);
    assertThat(f.aliases().get(0).kind()).isEqualTo(Alias.Kind.APK_Q1);
    assertThat(root.observation("alpine", NOW, dev.reprox.storage.Observation.Source.LIVE).publishedEstimated()).isFalse();
  }

  @Test
  void verifyRoot_wolfi1970Mtime_usesClockAndMarksEstimated() throws Exception {
    RootIndex root = format().verifyRoot("os/x86_64/APKINDEX.tar.gz", Fixtures.bytes("real/wolfi/APKINDEX.tar.gz"), null);

    assertThat(root.publishedAt()).isEqualTo(NOW);
    assertThat(root.publishedEstimated()).isTrue();
    assertThat(root.files()).hasSize(47).containsKey("os/x86_64/libffi-3.4.2-r0.apk");
  }

  @Test
  void verifyRoot_withoutKeyring_parsesUnverified() throws Exception {
    RootIndex root = ApkFormat.builder().clock(CLOCK).build()
        .verifyRoot(ALPINE_ROOT, Fixtures.bytes("real/alpine/v3.16-main-x86_64/APKINDEX.tar.gz"), null);

    assertThat(root.verified()).isFalse();
    assertThat(root.signers()).isEmpty();
    assertThat(root.files()).hasSize(4929);
  }

  @Test
  void verifyRoot_keyringWithoutTheSigningKey_throws() throws Exception {
    ApkFormat wolfiOnly = ApkFormat.builder()
        .verifier(ApkIndexVerifier.builder().key("wolfi-signing.rsa.pub", Fixtures.bytes("keys/apk/wolfi-signing.rsa.pub")).build())
        .clock(CLOCK).build();

    assertThatThrownBy(() -> wolfiOnly.verifyRoot(ALPINE_ROOT, Fixtures.bytes("real/alpine/v3.16-main-x86_64/APKINDEX.tar.gz"), null))
        .isInstanceOfSatisfying(SignatureInvalidException.class,
            e -> assertThat(e.kind()).isEqualTo(SignatureInvalidException.Kind.NO_KNOWN_SIGNER))
        .hasMessageContaining(ALPINE_ROOT);
  }

  @Test
  void openListing_index_streamsSameFilesAsRoot() throws Exception {
    byte[] bytes = Fixtures.bytes("real/wolfi/APKINDEX.tar.gz");
    long count = 0;
    try (ListingReader r = format().openListing("os/x86_64/APKINDEX.tar.gz", new ByteArrayInputStream(bytes))) {
      for (ListedFile f = r.next(); f != null; f = r.next()) {
        assertThat(f.path()).startsWith("os/x86_64/").endsWith(".apk");
        count++;
      }
    }
    assertThat(count).isEqualTo(47);
  }
}
