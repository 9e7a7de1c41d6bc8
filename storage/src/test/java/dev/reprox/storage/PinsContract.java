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
    return new Pin(repo, root, at, digestOf(seed), Pin.Status.PROVEN, START);
  }

  @Test
  void get_absent_isEmpty() throws Exception {
    assertThat(storage.pins().get("debian", "dists/bookworm/InRelease", T)).isEmpty();
  }

  @Test
  void putIfAbsent_keepsFirst() throws Exception {
    Pin first = pin("debian", "r", T, 1);
    Pin second = new Pin("debian", "r", T, digestOf(2), Pin.Status.FIRST_USE, START.plusSeconds(5));

    assertThat(storage.pins().putIfAbsent(first)).isEqualTo(first);
    assertThat(storage.pins().putIfAbsent(second)).isEqualTo(first);
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
          return storage.pins().putIfAbsent(candidate);
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
    Pin b2 = pins.putIfAbsent(pin("debian", "b", T.plusSeconds(1), 1));
    Pin a2 = pins.putIfAbsent(pin("debian", "a", T, 2));
    Pin a1 = pins.putIfAbsent(pin("debian", "a", Instant.parse("1969-12-31T00:00:00Z"), 3));
    Pin b1 = pins.putIfAbsent(pin("debian", "b", T, 4));
    pins.putIfAbsent(pin("debia", "na", T, 5));
    pins.putIfAbsent(pin("debian-security", "a", T, 6));

    assertThat(pins.list("debian")).containsExactly(a1, a2, b1, b2);
    assertThat(pins.list("debia")).hasSize(1);
    assertThat(pins.list("ubuntu")).isEmpty();
    assertThat(pins.get("debian", "a", T.plusNanos(1))).isEmpty();
  }
}
