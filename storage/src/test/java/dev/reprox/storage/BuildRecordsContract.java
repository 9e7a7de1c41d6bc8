package dev.reprox.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What every {@link BuildRecords} must do; see {@link StorageContract}. */
public abstract class BuildRecordsContract extends StorageContract {
  static final Instant T = Instant.parse("2024-02-01T00:00:00Z");

  protected static BuildEntry entry(String label, String repo, String path, int seed, Instant servedAt) {
    return new BuildEntry(label, repo, Optional.of(T), path, Optional.of("dists/stable/InRelease"),
        Optional.of(digestOf(100)), Optional.of(T.minusSeconds(3600)), digestOf(seed), 10 + seed,
        Optional.of("proven"), path.endsWith(".deb"), servedAt);
  }

  @Test
  void record_thenRead_returnsEveryField() throws Exception {
    BuildEntry e = entry("ci-1", "debian", "pool/main/h/hello.deb", 1, START);
    BuildEntry live = new BuildEntry("ci-1", "debian", Optional.empty(), "dists/stable/InRelease", Optional.empty(),
        Optional.empty(), Optional.empty(), digestOf(2), 0, Optional.empty(), false, START);

    assertThat(storage.builds().record(e, 10)).isEqualTo(BuildRecords.Outcome.WRITTEN);
    assertThat(storage.builds().record(live, 10)).isEqualTo(BuildRecords.Outcome.WRITTEN);

    assertThat(storage.builds().entries("ci-1")).containsExactlyInAnyOrder(e, live);
    assertThat(storage.builds().label("ci-1")).contains(new BuildLabel("ci-1", START, START, 2, false));
    assertThat(storage.builds().entries("ci-2")).isEmpty();
    assertThat(storage.builds().label("ci-2")).isEmpty();
  }

  @Test
  void record_sameAnswerAgain_isUnchangedButMovesLastUse() throws Exception {
    storage.builds().record(entry("ci", "debian", "a.deb", 1, START), 10);

    Instant later = START.plus(Duration.ofDays(3));
    assertThat(storage.builds().record(entry("ci", "debian", "a.deb", 1, later), 10))
        .isEqualTo(BuildRecords.Outcome.UNCHANGED);
    assertThat(storage.builds().record(entry("ci", "debian", "a.deb", 2, later), 10))
        .isEqualTo(BuildRecords.Outcome.WRITTEN);

    assertThat(storage.builds().label("ci")).contains(new BuildLabel("ci", START, later, 1, false));
    assertThat(storage.builds().entries("ci")).singleElement().extracting(BuildEntry::sha256).isEqualTo(digestOf(2));
  }

  @Test
  void record_newLabelAtTheBound_isRefusedAndEvictsNobody() throws Exception {
    storage.builds().record(entry("a", "debian", "a.deb", 1, START), 2);
    storage.builds().record(entry("b", "debian", "b.deb", 1, START), 2);

    assertThat(storage.builds().record(entry("flood", "debian", "c.deb", 1, START.plusSeconds(1)), 2))
        .isEqualTo(BuildRecords.Outcome.LABELS_FULL);
    // Known labels still record; the newcomer left no trace.
    assertThat(storage.builds().record(entry("a", "debian", "d.deb", 1, START.plusSeconds(2)), 2))
        .isEqualTo(BuildRecords.Outcome.WRITTEN);
    assertThat(storage.builds().labels()).extracting(BuildLabel::label).containsExactly("a", "b");
  }

  @Test
  void labels_lookalikeKeys_stayApart() throws Exception {
    storage.builds().record(entry("a", "b", "c/d.deb", 1, START), 10);
    storage.builds().record(entry("a", "b/c", "d.deb", 2, START), 10);
    storage.builds().record(entry("ab", "x", "y.deb", 3, START), 10);

    assertThat(storage.builds().entries("a")).extracting(BuildEntry::repo).containsExactlyInAnyOrder("b", "b/c");
    assertThat(storage.builds().entries("ab")).extracting(BuildEntry::path).containsExactly("y.deb");
  }

  @Test
  void delete_removesLabelAndEntries_andFreesItsPlace() throws Exception {
    storage.builds().record(entry("a", "debian", "a.deb", 1, START), 1);

    assertThat(storage.builds().delete("a")).map(BuildLabel::entries).contains(1L);
    assertThat(storage.builds().delete("a")).isEmpty();
    assertThat(storage.builds().entries("a")).isEmpty();
    assertThat(storage.builds().record(entry("b", "debian", "a.deb", 1, START), 1))
        .isEqualTo(BuildRecords.Outcome.WRITTEN);
  }

  @Test
  void expire_removesOnlyLabelsUnusedSinceCutoff() throws Exception {
    storage.builds().record(entry("old", "debian", "a.deb", 1, START), 10);
    storage.builds().record(entry("used", "debian", "a.deb", 1, START), 10);
    storage.builds().record(entry("used", "debian", "b.deb", 1, START.plus(Duration.ofDays(80))), 10);

    assertThat(storage.builds().expire(START.plus(Duration.ofDays(30)))).isEqualTo(1);

    assertThat(storage.builds().labels()).extracting(BuildLabel::label).containsExactly("used");
    assertThat(storage.builds().entries("old")).isEmpty();
    assertThat(storage.builds().entries("used")).hasSize(2);
  }
}
