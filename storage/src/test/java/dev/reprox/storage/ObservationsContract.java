package dev.reprox.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every {@link Observations} must do; see {@link StorageContract}. */
public abstract class ObservationsContract extends StorageContract {
  static final String REPO = "debian";
  static final String ROOT = "dists/bookworm/InRelease";
  static final Instant P1 = Instant.parse("2024-01-01T00:00:00Z");
  static final Instant P2 = Instant.parse("2024-02-01T00:00:00Z");
  static final Instant P3 = Instant.parse("2024-03-01T00:00:00Z");

  static Observation obs(String repo, String root, int seed, Instant published, Instant fetched) {
    return new Observation(repo, root, digestOf(seed), published, false, fetched, "ABCD", Observation.Source.LIVE);
  }

  private void threeGenerations() throws Exception {
    Observations o = storage.observations();
    o.record(obs(REPO, ROOT, 2, P2, P2.plusSeconds(60)));
    o.record(obs(REPO, ROOT, 1, P1, P1.plusSeconds(60)));
    o.record(obs(REPO, ROOT, 3, P3, P3.plusSeconds(60)));
  }

  @Test
  void record_firstSight_createsGeneration() throws Exception {
    Generation g = storage.observations().record(obs(REPO, ROOT, 1, P1, P1.plusSeconds(5)));

    assertThat(g.digest()).isEqualTo(digestOf(1));
    assertThat(g.publishedAt()).isEqualTo(P1);
    assertThat(g.firstFetchedAt()).isEqualTo(P1.plusSeconds(5));
    assertThat(g.lastFetchedAt()).isEqualTo(P1.plusSeconds(5));
    assertThat(g.signer()).isEqualTo("ABCD");
    assertThat(g.source()).isEqualTo(Observation.Source.LIVE);
  }

  @Test
  void record_sameDigestAgain_widensFetchWindow() throws Exception {
    Observations o = storage.observations();
    o.record(obs(REPO, ROOT, 1, P1, P1.plusSeconds(100)));
    o.record(obs(REPO, ROOT, 1, P1, P1.plusSeconds(900)));
    Generation g = o.record(obs(REPO, ROOT, 1, P1, P1.plusSeconds(10)));

    assertThat(g.firstFetchedAt()).isEqualTo(P1.plusSeconds(10));
    assertThat(g.lastFetchedAt()).isEqualTo(P1.plusSeconds(900));
    assertThat(o.generations(REPO, ROOT)).containsExactly(g);
    assertThat(o.byDigest(REPO, ROOT, digestOf(1))).contains(g);
    assertThat(g.provenAt(P1.plusSeconds(900))).isTrue();
    assertThat(g.provenAt(P1.plusSeconds(901))).isFalse();
  }

  @Test
  void floor_equalToPublished_returnsThatGeneration() throws Exception {
    threeGenerations();
    assertThat(storage.observations().floor(REPO, ROOT, P2).orElseThrow().digest()).isEqualTo(digestOf(2));
  }

  @Test
  void floor_justBeforeAndBetween_returnsOlder() throws Exception {
    threeGenerations();
    Observations o = storage.observations();
    assertThat(o.floor(REPO, ROOT, P2.minusNanos(1)).orElseThrow().digest()).isEqualTo(digestOf(1));
    assertThat(o.floor(REPO, ROOT, P2.plusSeconds(1)).orElseThrow().digest()).isEqualTo(digestOf(2));
  }

  @Test
  void floor_beforeFirst_isEmpty() throws Exception {
    threeGenerations();
    assertThat(storage.observations().floor(REPO, ROOT, P1.minusSeconds(1))).isEmpty();
    assertThat(storage.observations().floor(REPO, ROOT, Instant.EPOCH.minusSeconds(86400))).isEmpty();
  }

  @Test
  void floor_afterLast_returnsLast() throws Exception {
    threeGenerations();
    assertThat(storage.observations().floor(REPO, ROOT, Instant.parse("2099-01-01T00:00:00Z")).orElseThrow().digest())
        .isEqualTo(digestOf(3));
  }

  @Test
  void floor_negativeEpochs_orderCorrectly() throws Exception {
    Observations o = storage.observations();
    Instant before = Instant.parse("1960-01-01T00:00:00Z");
    o.record(obs(REPO, ROOT, 1, before, P1));
    o.record(obs(REPO, ROOT, 2, Instant.EPOCH, P1));

    assertThat(o.floor(REPO, ROOT, before.plusSeconds(1)).orElseThrow().digest()).isEqualTo(digestOf(1));
    assertThat(o.floor(REPO, ROOT, Instant.EPOCH.minusSeconds(1)).orElseThrow().digest()).isEqualTo(digestOf(1));
    assertThat(o.floor(REPO, ROOT, Instant.EPOCH).orElseThrow().digest()).isEqualTo(digestOf(2));
    assertThat(o.generations(REPO, ROOT)).extracting(Generation::digest).containsExactly(digestOf(1), digestOf(2));
  }

  @Test
  void floor_manyGenerations_findsEachExactly() throws Exception {
    Observations o = storage.observations();
    Instant base = Instant.parse("2023-01-01T00:00:00Z");
    for (int i = 0; i < 300; i++) {
      Instant p = base.plus(Duration.ofHours(6L * i));
      o.record(obs(REPO, ROOT, i, p, p.plusSeconds(30)));
    }
    for (int i = 0; i < 300; i += 7) {
      Instant p = base.plus(Duration.ofHours(6L * i));
      assertThat(o.floor(REPO, ROOT, p).orElseThrow().digest()).isEqualTo(digestOf(i));
      assertThat(o.floor(REPO, ROOT, p.plus(Duration.ofHours(6)).minusNanos(1)).orElseThrow().digest())
          .isEqualTo(digestOf(i));
    }
    assertThat(o.generations(REPO, ROOT)).hasSize(300);
  }

  @Test
  void floor_twoRootsAndRepos_doNotMix() throws Exception {
    Observations o = storage.observations();
    o.record(obs(REPO, ROOT, 1, P2, P2));
    o.record(obs(REPO, "dists/trixie/InRelease", 2, P1, P1));
    o.record(obs("ubuntu", ROOT, 3, P1, P1));
    // Length-prefixed keys: ("debian", ROOT) must not be a prefix neighbour of these.
    o.record(obs("debia", "n" + ROOT, 4, P1, P1));
    o.record(obs(REPO, ROOT + "x", 5, P1, P1));

    assertThat(o.floor(REPO, ROOT, P1.plusSeconds(1))).isEmpty();
    assertThat(o.floor(REPO, ROOT, P3).orElseThrow().digest()).isEqualTo(digestOf(1));
    assertThat(o.ceilingAfter(REPO, ROOT, P1)).map(Generation::digest).contains(digestOf(1));
    assertThat(o.floor("ubuntu", ROOT, P3).orElseThrow().digest()).isEqualTo(digestOf(3));
    assertThat(o.floor("ubuntu", "dists/trixie/InRelease", P3)).isEmpty();
    assertThat(o.byDigest("ubuntu", ROOT, digestOf(1))).isEmpty();
    assertThat(o.generations(REPO, ROOT)).extracting(Generation::digest).containsExactly(digestOf(1));
    assertThat(o.roots(REPO)).containsExactlyInAnyOrder(ROOT, "dists/trixie/InRelease", ROOT + "x");
    assertThat(o.roots("ubuntu")).containsExactly(ROOT);
    assertThat(o.roots("alpine")).isEmpty();
  }

  @Test
  void ceilingAfter_returnsNextStrictlyLater() throws Exception {
    threeGenerations();
    Observations o = storage.observations();
    assertThat(o.ceilingAfter(REPO, ROOT, P1.minusSeconds(1)).orElseThrow().digest()).isEqualTo(digestOf(1));
    assertThat(o.ceilingAfter(REPO, ROOT, P1).orElseThrow().digest()).isEqualTo(digestOf(2));
    assertThat(o.ceilingAfter(REPO, ROOT, P2.plusSeconds(1)).orElseThrow().digest()).isEqualTo(digestOf(3));
    assertThat(o.ceilingAfter(REPO, ROOT, P3)).isEmpty();
  }

  @Test
  void generations_oldestFirst_andByDigest() throws Exception {
    threeGenerations();
    Observations o = storage.observations();
    List<Instant> times = new ArrayList<>();
    for (Generation g : o.generations(REPO, ROOT)) {
      times.add(g.publishedAt());
    }
    assertThat(times).containsExactly(P1, P2, P3);
    assertThat(o.byDigest(REPO, ROOT, digestOf(2)).orElseThrow().publishedAt()).isEqualTo(P2);
    assertThat(o.byDigest(REPO, ROOT, digestOf(99))).isEmpty();
    assertThat(o.generations(REPO, "nothing")).isEmpty();
  }

  @Test
  void delete_forgetsOneGeneration_othersAndFloorStay() throws Exception {
    threeGenerations();

    assertThat(storage.observations().delete(REPO, ROOT, digestOf(2))).isTrue();

    assertThat(storage.observations().delete(REPO, ROOT, digestOf(2))).isFalse();
    assertThat(storage.observations().byDigest(REPO, ROOT, digestOf(2))).isEmpty();
    assertThat(storage.observations().generations(REPO, ROOT)).extracting(Generation::digest)
        .containsExactly(digestOf(1), digestOf(3));
    assertThat(storage.observations().floor(REPO, ROOT, P2.plusSeconds(1))).map(Generation::digest)
        .contains(digestOf(1));
  }

  @Test
  void repos_listsEveryRepositoryWithAGeneration_untilItsLastGoes() throws Exception {
    storage.observations().record(obs("ubuntu", ROOT, 1, P1, P1));
    storage.observations().record(obs(REPO, ROOT, 2, P1, P1));
    storage.observations().record(obs(REPO, "dists/trixie/InRelease", 3, P1, P1));

    assertThat(storage.observations().repos()).containsExactly(REPO, "ubuntu");

    storage.observations().delete("ubuntu", ROOT, digestOf(1));
    assertThat(storage.observations().repos()).containsExactly(REPO);
    assertThat(storage.observations().roots("ubuntu")).isEmpty();
  }
}
