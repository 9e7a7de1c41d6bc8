package dev.reprox.pinning.apt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.pinning.Fixtures;
import dev.reprox.pinning.PathKind;
import dev.reprox.pinning.RootGroup;
import dev.reprox.pinning.RootIndex;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.pgp.SignatureVerifier;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Observation;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AptFormatTest {
  static final String DIR = "real/debian/bookworm/";
  static AptFormat debian;

  @BeforeAll
  static void build() throws Exception {
    debian = AptFormat.builder()
        .verifier(SignatureVerifier.builder().keyring(Fixtures.path("keys/apt/debian-archive-keyring.gpg")).build())
        .build();
  }

  @Test
  void classify_aptPaths() {
    assertThat(debian.classify("dists/bookworm/InRelease")).isEqualTo(PathKind.ROOT_INDEX);
    assertThat(debian.classify("dists/bookworm/Release")).isEqualTo(PathKind.ROOT_INDEX);
    assertThat(debian.classify("dists/bookworm/Release.gpg")).isEqualTo(PathKind.DETACHED_SIGNATURE);
    assertThat(debian.classify("dists/bookworm/main/binary-amd64/Release")).isEqualTo(PathKind.SUB_INDEX);
    assertThat(debian.classify("dists/bookworm/main/source/Release")).isEqualTo(PathKind.SUB_INDEX);
    assertThat(debian.classify("dists/bookworm/main/binary-amd64/Packages.xz")).isEqualTo(PathKind.LISTING);
    assertThat(debian.classify("dists/bookworm/main/source/Sources.gz")).isEqualTo(PathKind.LISTING);
    assertThat(debian.classify("dists/bookworm/main/i18n/Translation-en.bz2")).isEqualTo(PathKind.SUB_INDEX);
    assertThat(debian.classify("dists/bookworm/main/binary-amd64/by-hash/SHA256/" + "ab".repeat(32)))
        .isEqualTo(PathKind.BY_HASH);
    assertThat(debian.classify("pool/main/a/apt/apt_2.6.1_amd64.deb")).isEqualTo(PathKind.PACKAGE);
    assertThat(debian.classify("README")).isEqualTo(PathKind.OTHER);
  }

  @Test
  void rootGroup_releaseAndInRelease_sameGroup() {
    RootGroup group = debian.rootGroup("dists/bookworm/Release.gpg").orElseThrow();

    assertThat(group).isEqualTo(debian.rootGroup("dists/bookworm/InRelease").orElseThrow());
    assertThat(group.inline()).contains("dists/bookworm/InRelease");
    assertThat(group.detached()).contains("dists/bookworm/Release");
    assertThat(group.signature()).contains("dists/bookworm/Release.gpg");
    assertThat(debian.rootGroup("pool/main/a/apt/apt_2.6.1_amd64.deb")).isEmpty();
  }

  @Test
  void verifyRoot_inReleaseAndRelease_sameGenerationContent() throws Exception {
    RootIndex inRelease = debian.verifyRoot("dists/bookworm/InRelease", Fixtures.bytes(DIR + "InRelease"), null);
    RootIndex release = debian.verifyRoot("dists/bookworm/Release", Fixtures.bytes(DIR + "Release"),
        Fixtures.bytes(DIR + "Release.gpg"));

    assertThat(inRelease.contentDigest()).isEqualTo(release.contentDigest());
    assertThat(release.contentDigest()).isEqualTo(release.digest());
    assertThat(inRelease.digest()).isEqualTo(Digest.compute(Fixtures.bytes(DIR + "InRelease")));
    assertThat(inRelease.publishedAt()).isEqualTo(Instant.parse("2026-07-11T10:16:37Z"));
    assertThat(inRelease.verified()).isTrue();
    assertThat(inRelease.signers()).hasSize(3);
    assertThat(inRelease.lookup("dists/bookworm/main/binary-amd64/Packages.xz").orElseThrow().sha256())
        .isEqualTo(Digest.sha256("9e0b5aabb2465b3d2e7a7fe27f9913846277833f7a2826e7767acccff5b588c5"));
  }

  @Test
  void verifyRoot_observation_carriesSignerAndTimes() throws Exception {
    RootIndex root = debian.verifyRoot("dists/bookworm/InRelease", Fixtures.bytes(DIR + "InRelease"), null);
    Instant fetched = Instant.parse("2026-07-11T11:00:00Z");

    Observation o = root.observation("debian", fetched, Observation.Source.LIVE);

    assertThat(o.signer()).isEqualTo(root.signers().get(0)).hasSize(40);
    assertThat(o.fetchedAt()).isEqualTo(fetched);
    assertThat(o.root()).isEqualTo("dists/bookworm/InRelease");
  }

  @Test
  void verifyRoot_releaseWithoutSignature_throwsMalformed() {
    assertThatThrownBy(() -> debian.verifyRoot("dists/bookworm/Release", Fixtures.bytes(DIR + "Release"), null))
        .isInstanceOfSatisfying(SignatureInvalidException.class,
            e -> assertThat(e.kind()).isEqualTo(SignatureInvalidException.Kind.MALFORMED));
  }

  @Test
  void verifyRoot_noKeyring_parsesUnverified() throws Exception {
    AptFormat open = AptFormat.builder().build();

    RootIndex root = open.verifyRoot("dists/bookworm/InRelease", Fixtures.bytes(DIR + "InRelease"), null);

    assertThat(root.verified()).isFalse();
    assertThat(root.signer()).isEmpty();
    assertThat(root.files()).hasSize(772);
  }

  @Test
  void byHash_digestFromPath() {
    String h = "9e0b5aabb2465b3d2e7a7fe27f9913846277833f7a2826e7767acccff5b588c5";

    assertThat(debian.byHash("dists/bookworm/main/binary-amd64/by-hash/SHA256/" + h)).contains(Digest.sha256(h));
    assertThat(debian.byHash("dists/bookworm/InRelease")).isEqualTo(Optional.empty());
  }
}
