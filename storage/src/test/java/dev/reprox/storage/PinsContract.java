package dev.reprox.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What every {@link Pins} must do; see {@link StorageContract}. */
public abstract class PinsContract extends StorageContract {
  static final Instant T = Instant.parse("2024-03-01T12:00:00Z");

  static Pin pin(String repo, String root, Instant at, int seed) {
    return Pin.at(repo, root, at, digestOf(seed), Pin.Status.PROVEN, START);
  }

  static Pin range(Instant from, Instant to, int seed, Pin.Status status, Instant pinnedAt) {
    return new Pin("debian", "r", from, to, digestOf(seed), status, pinnedAt);
  }

  static Instant t(int seconds) {
    return T.plusSeconds(seconds);
  }

  @Test
  void get_absent_isEmpty() throws Exception {
    assertThat(storage.pins().get("debian", "dists/bookworm/InRelease", T)).isEmpty();
  }

  @Test
  void putIfAbsent_keepsFirst() throws Exception {
    Pin first = pin("debian", "r", T, 1);
    Pin second = Pin.at("debian", "r", T, digestOf(2), Pin.Status.FIRST_USE, START.plusSeconds(5));

    assertThat(storage.pins().putIfAbsent(first, T)).isEqualTo(first);
    assertThat(storage.pins().putIfAbsent(second, T)).isEqualTo(first);
    assertThat(storage.pins().get("debian", "r", T)).contains(first);
  }

  @Test
  void putIfAbsent_concurrentCallers_allSeeOneWinner() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Pin>> results = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        Pin candidate = pin("debian", "r", T, i);
        results.add(pool.submit(() -> {
          go.await();
          return storage.pins().putIfAbsent(candidate, T);
        }));
      }
      go.countDown();
      Set<Pin> winners = new HashSet<>();
      for (Future<Pin> f : results) {
        winners.add(f.get(10, TimeUnit.SECONDS));
      }
      assertThat(winners).hasSize(1);
      assertThat(storage.pins().get("debian", "r", T)).contains(winners.iterator().next());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void list_ordersByRootThenTime_andKeepsReposApart() throws Exception {
    Pins pins = storage.pins();
    Pin b2 = pins.putIfAbsent(pin("debian", "b", T.plusSeconds(1), 1), T.plusSeconds(1));
    Pin a2 = pins.putIfAbsent(pin("debian", "a", T, 2), T);
    Instant before1970 = Instant.parse("1969-12-31T00:00:00Z");
    Pin a1 = pins.putIfAbsent(pin("debian", "a", before1970, 3), before1970);
    Pin b1 = pins.putIfAbsent(pin("debian", "b", T, 4), T);
    pins.putIfAbsent(pin("debia", "na", T, 5), T);
    pins.putIfAbsent(pin("debian-security", "a", T, 6), T);

    assertThat(pins.list("debian")).containsExactly(a1, a2, b1, b2);
    assertThat(pins.list("debia")).hasSize(1);
    assertThat(pins.list("ubuntu")).isEmpty();
    assertThat(pins.get("debian", "a", T.plusNanos(1))).isEmpty();
  }

  static final Pin WIDE = range(t(0), t(100_000), 1, Pin.Status.PROVEN, START);

  static Pin wide(int seed, Pin.Status status, Instant pinnedAt) {
    return range(t(0), t(100_000), seed, status, pinnedAt);
  }

  @Test
  void putIfAbsent_storesTAlone_neverAheadOfTheQuestions() throws Exception {
    Pin p = storage.pins().putIfAbsent(WIDE, t(15));

    assertThat(p).isEqualTo(range(t(15), t(15), 1, Pin.Status.PROVEN, START));
    assertThat(storage.pins().get("debian", "r", t(15))).contains(p);
    assertThat(storage.pins().get("debian", "r", t(15).plusNanos(1))).isEmpty();
    assertThat(storage.pins().get("debian", "r", t(15).minusNanos(1))).isEmpty();
    assertThat(storage.pins().get("debian", "r2", t(15))).isEmpty();
  }

  @Test
  void putIfAbsent_sameAnswerInVouchedRange_joinsTheNeighbour_coveringTheGap() throws Exception {
    Pins pins = storage.pins();
    pins.putIfAbsent(WIDE, t(10));

    Pin joined = pins.putIfAbsent(wide(1, Pin.Status.PROVEN, START.plusSeconds(5)), t(20));

    assertThat(joined).isEqualTo(range(t(10), t(20), 1, Pin.Status.PROVEN, START));
    assertThat(pins.get("debian", "r", t(15))).contains(joined);
    assertThat(pins.get("debian", "r", t(21))).isEmpty();
    assertThat(pins.list("debian")).containsExactly(joined);
  }

  @Test
  void putIfAbsent_gapOutsideVouchedRange_orOtherAnswer_staysApart() throws Exception {
    Pins pins = storage.pins();
    Pin first = pins.putIfAbsent(WIDE, t(10));
    Pin notVouched = pins.putIfAbsent(range(t(25), t(100), 1, Pin.Status.PROVEN, START), t(30));
    Pin otherStatus = pins.putIfAbsent(wide(1, Pin.Status.UNPROVEN, START), t(40));
    Pin otherGeneration = pins.putIfAbsent(wide(2, Pin.Status.PROVEN, START), t(50));

    assertThat(pins.list("debian")).containsExactly(first, notVouched, otherStatus, otherGeneration);
    assertThat(pins.get("debian", "r", t(20))).isEmpty();
    assertThat(pins.get("debian", "r", t(45))).isEmpty();
  }

  @Test
  void putIfAbsent_betweenTwoSameAnswers_becomesOneRecord_keepingFirstPinnedAt() throws Exception {
    Pins pins = storage.pins();
    pins.putIfAbsent(wide(1, Pin.Status.FIRST_USE, START.plusSeconds(2)), t(50));
    pins.putIfAbsent(wide(1, Pin.Status.FIRST_USE, START), t(10));

    Pin joined = pins.putIfAbsent(wide(1, Pin.Status.FIRST_USE, START.plusSeconds(9)), t(30));

    assertThat(joined).isEqualTo(range(t(10), t(50), 1, Pin.Status.FIRST_USE, START));
    assertThat(pins.list("debian")).containsExactly(joined);
    assertThat(pins.get("debian", "r", t(45))).contains(joined);
  }

  @Test
  void putIfAbsent_answeredTsNeverChange() throws Exception {
    Pins pins = storage.pins();
    Pin g1 = pins.putIfAbsent(WIDE, t(10));
    Pin g2 = pins.putIfAbsent(wide(2, Pin.Status.PROVEN, START), t(20));

    Pin again = pins.putIfAbsent(WIDE, t(30)); // g1 again: g2 at 20 lies between, no join across it

    assertThat(pins.get("debian", "r", t(10))).contains(g1);
    assertThat(pins.get("debian", "r", t(20))).contains(g2);
    assertThat(again).isEqualTo(range(t(30), t(30), 1, Pin.Status.PROVEN, START));
  }

  @Test
  void putIfAbsent_manyTsInOneVouchedRange_keepOneRecord() throws Exception {
    Pins pins = storage.pins();
    java.util.Random random = new java.util.Random(7);
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    for (int i = 0; i < 2_000; i++) {
      int s = random.nextInt(100_000);
      min = Math.min(min, s);
      max = Math.max(max, s);
      Pin standing = pins.putIfAbsent(wide(1, Pin.Status.PROVEN, START.plusSeconds(i)), t(s));
      assertThat(standing.covers(t(s))).isTrue();
    }

    assertThat(pins.list("debian")).containsExactly(range(t(min), t(max), 1, Pin.Status.PROVEN, START));
  }
}
