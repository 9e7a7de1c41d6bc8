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

  @Test
  void get_insideRange_isThePin_outsideIsEmpty() throws Exception {
    Pin p = range(t(10), t(20), 1, Pin.Status.PROVEN, START);
    storage.pins().putIfAbsent(p, t(15));

    assertThat(storage.pins().get("debian", "r", t(10))).contains(p);
    assertThat(storage.pins().get("debian", "r", t(20))).contains(p);
    assertThat(storage.pins().get("debian", "r", t(20).plusNanos(1))).isEmpty();
    assertThat(storage.pins().get("debian", "r", t(10).minusNanos(1))).isEmpty();
    assertThat(storage.pins().get("debian", "r2", t(15))).isEmpty();
  }

  @Test
  void putIfAbsent_rangeOverlappingOthers_isCutAtThem_andChangesNoAnsweredT() throws Exception {
    Pins pins = storage.pins();
    Pin left = pins.putIfAbsent(range(t(10), t(20), 1, Pin.Status.PROVEN, START), t(10));
    Pin right = pins.putIfAbsent(range(t(40), t(50), 3, Pin.Status.PROVEN, START), t(40));

    Pin middle = pins.putIfAbsent(range(t(0), t(100), 2, Pin.Status.UNPROVEN, START.plusSeconds(1)), t(30));

    assertThat(middle.from()).isEqualTo(t(20).plusNanos(1));
    assertThat(middle.to()).isEqualTo(t(40).minusNanos(1));
    assertThat(pins.get("debian", "r", t(20))).contains(left);
    assertThat(pins.get("debian", "r", t(40))).contains(right);
    assertThat(pins.get("debian", "r", t(25))).contains(middle);
    assertThat(pins.list("debian")).containsExactly(left, middle, right);
  }

  @Test
  void putIfAbsent_sameAnswerTouchingBothNeighbours_becomesOneRecord_keepingFirstPinnedAt() throws Exception {
    Pins pins = storage.pins();
    pins.putIfAbsent(range(t(10), t(20), 1, Pin.Status.FIRST_USE, START), t(10));
    pins.putIfAbsent(range(t(40), t(50), 1, Pin.Status.FIRST_USE, START.plusSeconds(2)), t(40));

    Pin joined = pins.putIfAbsent(range(t(0), t(100), 1, Pin.Status.FIRST_USE, START.plusSeconds(9)), t(30));

    assertThat(joined).isEqualTo(range(t(10), t(50), 1, Pin.Status.FIRST_USE, START));
    assertThat(pins.list("debian")).containsExactly(joined);
    assertThat(pins.get("debian", "r", t(45))).contains(joined);
  }

  @Test
  void putIfAbsent_otherStatusOrGap_isNotJoined() throws Exception {
    Pins pins = storage.pins();
    Pin proven = pins.putIfAbsent(range(t(10), t(20), 1, Pin.Status.PROVEN, START), t(10));
    Pin unproven = pins.putIfAbsent(range(t(21), t(30), 1, Pin.Status.UNPROVEN, START), t(25));
    Pin apart = pins.putIfAbsent(range(t(32), t(40), 1, Pin.Status.UNPROVEN, START), t(35));

    assertThat(pins.list("debian")).containsExactly(proven, unproven, apart);
    assertThat(pins.get("debian", "r", t(31))).isEmpty();
  }

  @Test
  void putIfAbsent_manyTsInOneVouchedRange_keepOneRecord() throws Exception {
    Pins pins = storage.pins();
    java.util.Random random = new java.util.Random(7);
    Pin first = null;
    for (int i = 0; i < 2_000; i++) {
      Instant at = t(random.nextInt(100_000));
      Pin standing = pins.putIfAbsent(range(t(0), t(100_000), 1, Pin.Status.PROVEN, START.plusSeconds(i)), at);
      first = first == null ? standing : first;
      assertThat(standing).isEqualTo(first);
    }

    assertThat(pins.list("debian")).containsExactly(first);
  }
}
