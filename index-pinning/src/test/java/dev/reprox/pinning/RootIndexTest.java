package dev.reprox.pinning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Aliases;
import dev.reprox.storage.Digest;
import dev.reprox.storage.PathEntry;
import dev.reprox.storage.memory.MemoryStorage;
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
  void choose_reuploadedPackage_generationDecides() throws Exception {
    PathEntry old = new PathEntry("pool/f/foo.deb", PathEntry.Expected.sha256(digest("foo v1 bytes")), 5, PACKAGES_G1);
    PathEntry reupload = new PathEntry("pool/f/foo.deb", PathEntry.Expected.sha256(digest("foo v1 rebuilt")), 6,
        PACKAGES_G2);

    Aliases none = MemoryStorage.builder().build().aliases();

    assertThat(root(PACKAGES_G1).choose(List.of(reupload, old), none)).contains(old);
    assertThat(root(PACKAGES_G2).choose(List.of(old, reupload), none)).contains(reupload);
    assertThat(root(digest("other")).choose(List.of(old, reupload), none)).isEmpty();
  }

  /**
   * A root naming its listing by SHA-512 only (dnf {@code --repomd-checksum sha512}): the listing
   * indexed under its SHA-256 answers once the alias table maps the root's SHA-512 to that blob
   * (what a fill checked against the SHA-512 records), and not before nor for another blob.
   */
  @Test
  void choose_listingNamedBySha512Only_answersThroughTheCheckedAlias() throws Exception {
    Alias sha512 = new Alias(Alias.Kind.SHA512, new byte[64]);
    String primary = "repodata/x-primary.xml.gz";
    RootIndex root = new RootIndex("repodata/repomd.xml", digest("repomd"), digest("repomd"), Instant.EPOCH, false,
        false, List.of(), Optional.empty(), Map.of(primary, new ListedFile(primary, 10, null, List.of(sha512))));
    PathEntry foo = new PathEntry("Packages/foo.rpm", PathEntry.Expected.sha256(digest("foo")), 5, PACKAGES_G1);
    Aliases store = MemoryStorage.builder().build().aliases();

    assertThat(root.choose(List.of(foo), store)).as("nothing checked against the SHA-512 yet").isEmpty();
    store.put(sha512, PACKAGES_G2);
    assertThat(root.choose(List.of(foo), store)).as("the SHA-512 is another blob's").isEmpty();
    store.put(sha512, PACKAGES_G1);
    assertThat(root.choose(List.of(foo), store)).contains(foo);
  }
}
