package dev.reprox.pinning.apt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingSource;
import dev.reprox.pinning.RootIndex;
import dev.reprox.storage.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which listings of a Release could name a pool file (issue 10): {@link AptListingChoice}. */
class AptListingChoiceTest {
  private static final String DIR = "dists/bookworm/";

  @Test
  void amd64Deb_onlyItsArchAndComponent_gzipVariant_byHash() {
    RootIndex root = root(true, "main/binary-amd64/Packages", "main/binary-amd64/Packages.gz",
        "main/binary-amd64/Packages.xz", "main/binary-arm64/Packages.gz", "contrib/binary-amd64/Packages.gz",
        "main/debian-installer/binary-amd64/Packages.gz", "main/source/Sources.gz", "main/i18n/Translation-en.bz2");

    List<ListingSource> s = AptListingChoice.naming(root, "pool/main/h/hello/hello_2.10-3_amd64.deb");

    assertThat(s).singleElement().satisfies(l -> {
      assertThat(l.listing().path()).isEqualTo(DIR + "main/binary-amd64/Packages.gz");
      assertThat(l.fetchPath()).isEqualTo(DIR + "main/binary-amd64/by-hash/SHA256/" + l.listing().sha256().hex());
    });
  }

  @Test
  void allDeb_everyArchOfTheComponent_binaryAllFirst_noByHashWithoutAcquireByHash() {
    RootIndex root = root(false, "main/binary-amd64/Packages.xz", "main/binary-arm64/Packages.xz",
        "main/binary-all/Packages.xz");

    List<String> s = AptListingChoice.naming(root, "pool/main/b/base-files/tzdata_2024a-0_all.deb").stream()
        .map(ListingSource::fetchPath).toList();

    assertThat(s).containsExactly(DIR + "main/binary-all/Packages.xz", DIR + "main/binary-amd64/Packages.xz",
        DIR + "main/binary-arm64/Packages.xz");
  }

  @Test
  void udeb_debianInstallerListings_sourceFile_sources_unknownComponent_everyComponent() {
    RootIndex root = root(false, "main/binary-amd64/Packages.gz", "main/debian-installer/binary-amd64/Packages.gz",
        "main/source/Sources.gz", "contrib/source/Sources.gz");

    assertThat(AptListingChoice.naming(root, "pool/main/a/anna/anna_1.0_amd64.udeb")).singleElement()
        .satisfies(l -> assertThat(l.listing().path()).isEqualTo(DIR + "main/debian-installer/binary-amd64/Packages.gz"));
    assertThat(AptListingChoice.naming(root, "pool/main/h/hello/hello_2.10-3.dsc")).singleElement()
        .satisfies(l -> assertThat(l.listing().path()).isEqualTo(DIR + "main/source/Sources.gz"));
    assertThat(AptListingChoice.naming(root, "pool/other/h/hello/hello_2.10-3.dsc")).hasSize(2);
  }

  @Test
  void all_everyListingOnce_gzipVariant_byHash_notTranslations() {
    RootIndex root = root(true, "main/binary-amd64/Packages", "main/binary-amd64/Packages.gz",
        "main/binary-amd64/Packages.xz", "main/binary-arm64/Packages.xz", "main/debian-installer/binary-amd64/Packages.gz",
        "main/source/Sources.gz", "main/i18n/Translation-en.bz2");

    List<ListingSource> s = AptListingChoice.all(root);

    assertThat(s).extracting(l -> l.listing().path()).containsExactly(DIR + "main/binary-amd64/Packages.gz",
        DIR + "main/binary-arm64/Packages.xz", DIR + "main/debian-installer/binary-amd64/Packages.gz",
        DIR + "main/source/Sources.gz");
    assertThat(s.get(0).fetchPath()).isEqualTo(DIR + "main/binary-amd64/by-hash/SHA256/"
        + s.get(0).listing().sha256().hex());
  }

  private static RootIndex root(boolean byHash, String... files) {
    Map<String, ListedFile> map = new LinkedHashMap<>();
    for (String f : files) {
      map.put(DIR + f, new ListedFile(DIR + f, 10, Digest.compute(f.getBytes(StandardCharsets.UTF_8)), List.of()));
    }
    Digest d = Digest.compute(new byte[] {1});
    return new RootIndex(DIR + "InRelease", d, d, Instant.EPOCH, false, false, List.of(), Optional.empty(), map,
        byHash);
  }
}
