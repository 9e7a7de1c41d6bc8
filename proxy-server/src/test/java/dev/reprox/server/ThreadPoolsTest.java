package dev.reprox.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.config.ThreadsConfig;
import dev.reprox.server.fetch.Fetchers;
import dev.reprox.server.testing.InProcessReprox;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every pool is sized by threads: and named after its job; close stops them all. */
class ThreadPoolsTest {
  @TempDir Path dir;

  @Test
  void of_sizesFromTheConfig_namedThreads_closeStopsEveryPool() throws Exception {
    ThreadPools pools = ThreadPools.of(new ThreadsConfig(1, 3, 5, 1, 6, 2, 1));
    assertThat(pools.storage().getMaximumPoolSize()).isEqualTo(3);
    assertThat(pools.body().getMaximumPoolSize()).isEqualTo(5);
    assertThat(pools.upstream().getMaximumPoolSize()).isEqualTo(1);
    assertThat(pools.signed().getMaximumPoolSize()).isEqualTo(6);
    assertThat(pools.rootFetch().getMaximumPoolSize()).isEqualTo(2);
    assertThat(pools.tunnelResolve().getMaximumPoolSize()).isEqualTo(1);
    assertThat(pools.storage().submit(() -> Thread.currentThread().getName()).get()).isEqualTo("reprox-storage-1");
    assertThat(pools.workers().submit(() -> Thread.currentThread().getName()).get()).isNotBlank();
    assertThat(pools.keyrings().submit(() -> Thread.currentThread().getName()).get()).isEqualTo("reprox-keyrings-1");

    pools.close();

    for (ExecutorService p : List.of(pools.storage(), pools.body(), pools.upstream(), pools.signed(),
        pools.rootFetch(), pools.tunnelResolve(), pools.keyrings(), pools.timer(), pools.diskUsage())) {
      assertThat(p.isShutdown()).isTrue();
    }
    assertThat(pools.workers().isShutdown()).isTrue();
  }

  @Test
  void fetchers_keyringWarmUp_onlyOnceTheServerAsks_runsOnTheKeyringsPool() throws Exception {
    Path keyring = dev.reprox.testkit.apt.AptRepoBuilder.in(dir.resolve("repo")).writeKeyring(dir.resolve("k.gpg"));
    RepositoryConfig repo = new RepositoryConfig("fix", RepositoryConfig.Format.APT, URI.create("http://127.0.0.1:9"),
        Optional.empty(), new Keyring.File(keyring), RepositoryConfig.PinningPolicy.BEST_EFFORT,
        Duration.ofSeconds(60), false);
    try (ThreadPools pools = ThreadPools.of(ThreadsConfig.DEFAULT);
        Storage storage = MemoryStorage.builder().build();
        Fetchers f = Fetchers.builder().pools(pools).storage(storage).storageExecutor(Runnable::run)
            .clock(new MutableClock(Instant.parse("2026-01-01T00:00:00Z"))).headerTimeout(Duration.ofSeconds(5))
            .repositories(List.of(repo)).build()) {
      // Building the parts starts no warm-up: it would compete with the start for the CPU.
      assertThat(pools.keyrings().getTaskCount()).isZero();
      f.warmUp();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (pools.keyrings().getCompletedTaskCount() < 1 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(pools.keyrings().getCompletedTaskCount()).isEqualTo(1);
    }
  }

  @Test
  void watchGcBundles_namedThreadsOnFirstUse_gcAtLowestPriority_closeStopsThem() throws Exception {
    ThreadPools pools = ThreadPools.of(ThreadsConfig.DEFAULT);
    assertThat(pools.watch()).isSameAs(pools.watch());
    assertThat(pools.watch().submit(() -> Thread.currentThread().getName()).get()).isEqualTo("reprox-watch");
    assertThat(pools.gc().submit(() -> Thread.currentThread().getName() + "/" + Thread.currentThread().getPriority())
        .get()).isEqualTo("reprox-gc/" + Thread.MIN_PRIORITY);
    assertThat(pools.bundles().submit(() -> Thread.currentThread().getName()).get()).isEqualTo("reprox-bundle-1");

    pools.close();

    for (ExecutorService p : List.of(pools.watch(), pools.gc(), pools.bundles())) {
      assertThat(p.isShutdown()).isTrue();
    }
  }

  @Test
  void server_threadsSection_sizesItsPools() throws Exception {
    try (InProcessReprox reprox = InProcessReprox.withConfig(dir, "threads:\n  storage: 3\n  body: 5\n",
        new MutableClock(Instant.parse("2026-01-01T00:00:00Z")))) {
      assertThat(reprox.metrics()).contains("executor_pool_max_threads{name=\"reprox-storage\"} 3.0")
          .contains("executor_pool_max_threads{name=\"reprox-body\"} 5.0");
    }
  }
}
