package dev.reprox.pinning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.Digest;
import dev.reprox.storage.PathEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RootIndexTest {
  static final Digest PACKAGES_G1 = digest("Packages of G1");
  static final Digest PACKAGES_G2 = digest("Packages of G2");
  static final String PACKAGES_PATH = "dists/s/main/binary-amd64/Packages.xz";

  static Digest digest(String s) {
    return Digest.compute(s.getBytes(StandardCharsets.UTF_8));
  }

  static RootIndex root(Digest packages) {
    ListedFile listed = new ListedFile(PACKAGES_PATH, 10, packages, List.of());
    return new RootIndex("dists/s/InRelease", digest("root " + packages), digest("content"), Instant.EPOCH, false,
        false, List.of(), Optional.empty(), Map.of(PACKAGES_PATH, listed));
  }

  @Test
  void byContent_listedDigest_findsPath() {
    assertThat(root(PACKAGES_G1).byContent(PACKAGES_G1)).map(ListedFile::path).contains(PACKAGES_PATH);
    assertThat(root(PACKAGES_G1).byContent(PACKAGES_G2)).isEmpty();
  }

  @Test
  void choose_reuploadedPackage_generationDecides() {
    PathEntry old = new PathEntry("pool/f/foo.deb", PathEntry.Expected.sha256(digest("foo v1 bytes")), 5, PACKAGES_G1);
    PathEntry reupload = new PathEntry("pool/f/foo.deb", PathEntry.Expected.sha256(digest("foo v1 rebuilt")), 6,
        PACKAGES_G2);

    assertThat(root(PACKAGES_G1).choose(List.of(reupload, old))).contains(old);
    assertThat(root(PACKAGES_G2).choose(List.of(old, reupload))).contains(reupload);
    assertThat(root(digest("other")).choose(List.of(old, reupload))).isEmpty();
  }
}
