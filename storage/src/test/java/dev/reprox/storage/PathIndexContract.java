package dev.reprox.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What every {@link PathIndex} must do; see {@link StorageContract}. */
public abstract class PathIndexContract extends StorageContract {
  static final String DEB = "pool/main/h/hello/hello_2.10-3_amd64.deb";

  @Test
  void isIndexed_falseUntilPutListing() throws Exception {
    Digest listing = digestOf(1);
    assertThat(storage.paths().isIndexed("debian", listing)).isFalse();

    storage.paths().putListing("debian", listing, List.of(
        new PathEntry(DEB, PathEntry.Expected.sha256(digestOf(10)), 1234, listing)));

    assertThat(storage.paths().isIndexed("debian", listing)).isTrue();
    assertThat(storage.paths().isIndexed("ubuntu", listing)).isFalse();
  }

  @Test
  void lookup_returnsEveryListingsEntry() throws Exception {
    Digest l1 = digestOf(1);
    Digest l2 = digestOf(2);
    PathEntry e1 = new PathEntry(DEB, PathEntry.Expected.sha256(digestOf(10)), 1234, l1);
    PathEntry e2 = new PathEntry(DEB, PathEntry.Expected.sha256(digestOf(11)), 1300, l2);
    PathEntry other = new PathEntry("pool/main/h/hello/other.deb", PathEntry.Expected.sha256(digestOf(12)), 5, l1);
    storage.paths().putListing("debian", l1, List.of(e1, other));
    storage.paths().putListing("debian", l2, List.of(e2));

    assertThat(storage.paths().lookup("debian", DEB)).containsExactlyInAnyOrder(e1, e2);
    assertThat(storage.paths().lookup("debian", "pool/main/h/hello/other.deb")).containsExactly(other);
    assertThat(storage.paths().lookup("debian", "pool/main/h/hello")).isEmpty();
    assertThat(storage.paths().lookup("ubuntu", DEB)).isEmpty();
  }

  @Test
  void lookup_aliasExpectation_roundTrips() throws Exception {
    Digest listing = digestOf(3);
    Alias q1 = Alias.ofHex(Alias.Kind.APK_Q1, "00112233445566778899aabbccddeeff00112233");
    PathEntry e = new PathEntry("x86_64/busybox-1.36.1-r5.apk", PathEntry.Expected.alias(q1), 512_000, listing);
    storage.paths().putListing("alpine", listing, List.of(e));

    List<PathEntry> got = storage.paths().lookup("alpine", "x86_64/busybox-1.36.1-r5.apk");

    assertThat(got).containsExactly(e);
    assertThat(got.get(0).expected().alias()).isEqualTo(q1);
    assertThat(got.get(0).expected().sha256()).isNull();
  }

  @Test
  void putListing_repeated_isIdempotent() throws Exception {
    Digest listing = digestOf(4);
    PathEntry e = new PathEntry(DEB, PathEntry.Expected.sha256(digestOf(10)), 1, listing);
    storage.paths().putListing("debian", listing, List.of(e));
    storage.paths().putListing("debian", listing, List.of(e));

    assertThat(storage.paths().lookup("debian", DEB)).containsExactly(e);
  }

  @Test
  void deleteListings_removesEntriesAndMarkers_ofDoomedListingsOnly() throws Exception {
    Digest keep = digestOf(1);
    Digest drop = digestOf(2);
    PathEntry kept = new PathEntry(DEB, PathEntry.Expected.sha256(digestOf(10)), 1234, keep);
    PathEntry dropped = new PathEntry(DEB, PathEntry.Expected.sha256(digestOf(11)), 1300, drop);
    PathEntry droppedToo = new PathEntry("pool/x.deb", PathEntry.Expected.sha256(digestOf(12)), 5, drop);
    PathEntry otherRepo = new PathEntry(DEB, PathEntry.Expected.sha256(digestOf(13)), 7, drop);
    storage.paths().putListing("debian", keep, List.of(kept));
    storage.paths().putListing("debian", drop, List.of(dropped, droppedToo));
    storage.paths().putListing("ubuntu", drop, List.of(otherRepo));

    long n = storage.paths().deleteListings("debian", drop::equals);

    assertThat(n).isEqualTo(2);
    assertThat(storage.paths().isIndexed("debian", drop)).isFalse();
    assertThat(storage.paths().isIndexed("debian", keep)).isTrue();
    assertThat(storage.paths().lookup("debian", DEB)).containsExactly(kept);
    assertThat(storage.paths().lookup("debian", "pool/x.deb")).isEmpty();
    assertThat(storage.paths().lookup("ubuntu", DEB)).containsExactly(otherRepo);
  }

  @Test
  void forEach_visitsEveryEntryOfTheRepository() throws Exception {
    Digest l = digestOf(1);
    List<PathEntry> entries = new java.util.ArrayList<>();
    for (int i = 0; i < 25; i++) {
      entries.add(new PathEntry("pool/p" + i + ".deb", PathEntry.Expected.sha256(digestOf(100 + i)), i, l));
    }
    storage.paths().putListing("debian", l, entries);
    storage.paths().putListing("debian/x", digestOf(2), List.of(
        new PathEntry("pool/y.deb", PathEntry.Expected.sha256(digestOf(3)), 1, digestOf(2))));

    List<PathEntry> seen = new java.util.ArrayList<>();
    storage.paths().forEach("debian", seen::add);

    assertThat(seen).containsExactlyInAnyOrderElementsOf(entries);
  }
}
