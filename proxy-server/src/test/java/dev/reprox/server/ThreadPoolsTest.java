package dev.reprox.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.config.ThreadsConfig;
import dev.reprox.storage.memory.MemoryStorage;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

    pools.close();

    for (ExecutorService p : List.of(pools.storage(), pools.body(), pools.upstream(), pools.signed(),
        pools.rootFetch(), pools.tunnelResolve(), pools.timer(), pools.diskUsage())) {
      assertThat(p.isShutdown()).isTrue();
    }
    assertThat(pools.workers().isShutdown()).isTrue();
  }

  @Test
  void server_threadsSection_sizesItsPools() throws Exception {
    Path config = dir.resolve("reprox.yaml");
    Files.writeString(config, "threads:\n  storage: 3\n  body: 5\n");
    ReproxConfig cfg = ConfigLoader.load(Optional.of(config), Map.of(), new ConfigLoader.Overrides(
        Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(dir.resolve("data")), Optional.of(true)));
    ReproxServer server = ReproxServer.builder().config(cfg).storage(MemoryStorage.builder().build())
        .clock(Clock.systemUTC()).drainTimeout(Duration.ofSeconds(1)).start();
    try {
      HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
      String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort()
          + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains("executor_pool_max_threads{name=\"reprox-storage\"} 3.0")
          .contains("executor_pool_max_threads{name=\"reprox-body\"} 5.0");
    } finally {
      server.close();
    }
  }
}
