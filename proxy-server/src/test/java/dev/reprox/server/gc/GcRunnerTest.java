package dev.reprox.server.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.ReproxConfig;
import dev.reprox.config.RetentionConfig;
import dev.reprox.server.trust.StoredRoots;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GcRunnerTest {
  private final Storage storage = MemoryStorage.builder().build();
  private final StoredRoots roots = StoredRoots.of(
      new ReproxConfig(new InetSocketAddress("127.0.0.1", 0), Path.of("unused"), true, Map.of()), Clock.systemUTC());

  private Collector collector(boolean dry, Runnable beforeSweep) {
    return Collector.builder().storage(storage).retention(RetentionConfig.DEFAULT).roots(roots).dryRun(dry)
        .beforeSweep(beforeSweep).build();
  }

  /** Polls {@code runner} until its last outcome is run {@code run}, or fails after 30 s. */
  private static GcRunner.Outcome awaitRun(GcRunner runner, long run) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Optional<GcRunner.Outcome> last = runner.last();
      if (last.isPresent() && last.get().run() >= run) {
        return last.get();
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("run " + run + " did not finish");
  }

  @Test
  void start_whileOneRuns_refused_thenTheReportIsKept() throws Exception {
    CountDownLatch inSweep = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (GcRunner runner = new GcRunner(dry -> collector(dry, () -> {
      inSweep.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }), Optional.empty(), new SimpleMeterRegistry(), Executors.newSingleThreadScheduledExecutor(), java.time.Clock.systemUTC())) {
      assertThat(runner.start(false)).contains(1L);
      assertThat(inSweep.await(30, TimeUnit.SECONDS)).isTrue();

      assertThat(runner.start(true)).as("one at a time").isEmpty();
      assertThat(runner.running()).contains(1L);
      assertThat(runner.describe()).startsWith("running (run 1)");

      release.countDown();
      GcRunner.Outcome done = awaitRun(runner, 1);
      assertThat(done.report()).isNotNull();
      assertThat(done.report().dryRun()).isFalse();
      assertThat(runner.json()).contains("\"run\":1", "\"summary\":\"gc: deleted 0 generations");
    }
  }

  @Test
  void schedule_collectsByItself() throws Exception {
    try (GcRunner runner = new GcRunner(dry -> collector(dry, () -> { }), Optional.of(Duration.ofMillis(50)),
        new SimpleMeterRegistry(), Executors.newSingleThreadScheduledExecutor(), java.time.Clock.systemUTC())) {
      assertThat(awaitRun(runner, 2).report()).isNotNull();
    }
  }
}
