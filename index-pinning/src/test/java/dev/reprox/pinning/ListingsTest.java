package dev.reprox.pinning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.pinning.apt.AptListings;
import dev.reprox.storage.Digest;
import dev.reprox.storage.PathEntry;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ListingsTest {
  private static final String SHA = "c".repeat(64);

  @Test
  void index_packages_recordsEveryEntryUnderTheListing() throws Exception {
    byte[] packages = ("Filename: pool/a.deb\nSize: 3\nSHA256: " + SHA + "\n\nFilename: pool/b.deb\nSize: 4\nSHA256: "
        + SHA + "\n").getBytes(StandardCharsets.UTF_8);
    Digest listing = Digest.compute(packages);
    try (Storage storage = MemoryStorage.builder().build()) {
      long n = Listings.index(storage.paths(), "debian", listing, AptListings.packages(new ByteArrayInputStream(packages)));

      assertThat(n).isEqualTo(2);
      assertThat(storage.paths().isIndexed("debian", listing)).isTrue();
      assertThat(storage.paths().lookup("debian", "pool/b.deb")).singleElement()
          .isEqualTo(new PathEntry("pool/b.deb", PathEntry.Expected.sha256(Digest.sha256(SHA)), 4, listing));
    }
  }

  @Test
  void index_malformedListing_throwsParseErrorAndLeavesListingUnindexed() throws Exception {
    byte[] packages = ("Filename: pool/a.deb\nSize: 3\nSHA256: " + SHA + "\n\nFilename: pool/b.deb\nSize: x\n")
        .getBytes(StandardCharsets.UTF_8);
    Digest listing = Digest.compute(packages);
    try (Storage storage = MemoryStorage.builder().build()) {
      assertThatThrownBy(() -> Listings.index(storage.paths(), "debian", listing,
          AptListings.packages(new ByteArrayInputStream(packages))))
          .isInstanceOf(IndexParseException.class).hasMessageContaining("bad size");
      assertThat(storage.paths().isIndexed("debian", listing)).isFalse();
    }
  }
}
