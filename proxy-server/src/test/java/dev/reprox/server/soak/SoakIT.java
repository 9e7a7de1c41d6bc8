package dev.reprox.server.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.testing.ReproxProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Half an hour of mixed load on a child reprox ({@code -Xms256m -Xmx256m -XX:+AlwaysPreTouch}, so
 * the heap is resident from the start and any RSS growth is native: direct buffers, RocksDB,
 * threads) in front of a growing signed apt fixture: {@code soak.threads} clients (4) asking for
 * packages already stored (hits) and just published (misses), packages and InRelease pinned at a
 * generation's T, and the live InRelease and Packages.xz (root TTL 1 s, so roots are revalidated
 * all the time). Every 20 s two packages are published in a new signed generation, and the load
 * pauses while it is fetched as {@code apt-get update} would (InRelease, then Packages.xz) — a live
 * pool path is answered through the newest listing reprox fetched. Every body is checked by sha256. Every {@code soak.sampleSeconds} (5) the
 * child's VmRSS and open fds are read from /proc.
 *
 * <p>Flat means: after a warm-up (a fifth of the run, at least 30 s), the last quarter's maximum is
 * at most the first quarter's maximum × 1.25 plus a constant — 32 MiB of RSS (the JIT's code
 * cache and metaspace still grow for minutes as new paths get hot, RocksDB's memtable holds every
 * newly stored chunk until it flushes at 64 MiB, the hot-chunk cache fills as new packages are
 * read), 16 fds (keep-alive connections of the clients and the upstream pool come and go, up to
 * threads + the host's 8 permits; a memtable flush adds an SST and a blob file). Each client
 * thinks {@code soak.pauseMillis} (5) between requests. A leak of one
 * buffer, iterator or socket per request exceeds both within minutes at this load.
 *
 * <p>{@code ./mvnw -pl proxy-server verify -Psoak [-Dsoak.minutes=N]} (default 30); the samples
 * are printed as a table at the end.
 */
class SoakIT {
  private static final long RSS_SLACK_KIB = 32 * 1024;
  private static final long FD_SLACK = 16;

  @TempDir
  Path dir;

  @Test
  void mixedLoad_rssAndOpenFdsStayFlat_everyBodyVerified() throws Exception {
    long minutes = Long.getLong("soak.minutes", 30);
    int threads = Integer.getInteger("soak.threads", 4);
    int sampleSeconds = Integer.getInteger("soak.sampleSeconds", 5);
    long durationSeconds = minutes * 60;
    long warmupSeconds = Math.max(30, durationSeconds / 5);
    try (SoakUpstream upstream = new SoakUpstream(dir, 24)) {
      Path config = dir.resolve("reprox.yaml");
      Files.writeString(config, "repositories:\n  soak:\n    format: apt\n    upstream: " + upstream.base()
          + "\n    keyring: " + upstream.keyring() + "\n    root-ttl: 1s\n");
      Path jar = ReproxProcess.privateJar(dir.resolve("reprox.jar"));
      Path log = dir.resolve("serve.log");
      ReproxProcess server = ReproxProcess.start(ReproxProcess.command(jar,
          List.of("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch", "-Dio.netty.leakDetection.level=simple"), log,
          "serve", "--config", config.toString(), "--data", dir.resolve("data").toString(),
          "--listen", "127.0.0.1:0", "--drain-timeout", "2"), log, Duration.ofSeconds(60));
      try {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
        SoakLoad load = new SoakLoad(client, server.base(), upstream);
        List<ProcSample> samples = run(server, upstream, client, load, threads, durationSeconds, sampleSeconds);
        report(samples, load, metrics(client, server), upstream);

        assertThat(load.firstErrors).as("unexpected answers").isEmpty();
        assertThat(load.errors.get()).isZero();
        load.counts.forEach((kind, n) -> assertThat(n.get()).as("requests of kind %s", kind).isPositive());
        String metrics = metrics(client, server);
        assertThat(count(metrics, "hit")).as("hits").isPositive();
        assertThat(count(metrics, "miss")).as("misses").isPositive();

        List<ProcSample> steady = samples.stream().filter(s -> s.seconds() >= warmupSeconds).toList();
        assertThat(steady.size()).as("samples after the warm-up").isGreaterThanOrEqualTo(8);
        int quarter = (steady.size() + 3) / 4;
        List<ProcSample> first = steady.subList(0, quarter);
        List<ProcSample> last = steady.subList(steady.size() - quarter, steady.size());
        long firstRss = ProcSample.max(first, ProcSample::rssKiB);
        long firstFds = ProcSample.max(first, ProcSample::fds);
        assertThat(ProcSample.max(last, ProcSample::rssKiB)).as("RSS (KiB) of the last quarter vs the first's %d",
            firstRss).isLessThanOrEqualTo(firstRss * 5 / 4 + RSS_SLACK_KIB);
        assertThat(ProcSample.max(last, ProcSample::fds)).as("open fds of the last quarter vs the first's %d", firstFds)
            .isLessThanOrEqualTo(firstFds * 5 / 4 + FD_SLACK);
      } finally {
        server.close(); // SIGTERM, and no Netty LEAK: report in its log
      }
    }
  }

  /** Load threads, a publisher adding 2 packages every 20 s, and the sampler, until the deadline. */
  private static List<ProcSample> run(ReproxProcess server, SoakUpstream upstream, HttpClient client, SoakLoad load,
      int threads, long durationSeconds, int sampleSeconds) throws Exception {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(durationSeconds);
    long pauseNanos = TimeUnit.MILLISECONDS.toNanos(Long.getLong("soak.pauseMillis", 5));
    // The load holds the read side per request; publishing and the "apt-get update" after it
    // hold the write side, so no request sees a root whose listing nobody fetched yet.
    ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    load.update(upstream.last());
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    List<Future<?>> tasks = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Random random = new Random(t * 7919L + 17);
      tasks.add(pool.submit(() -> {
        while (System.nanoTime() < deadline) {
          gate.readLock().lock();
          try {
            load.once(random);
          } finally {
            gate.readLock().unlock();
          }
          // Think time, not synchronisation: the machine is shared, and flatness needs steady
          // load for a long time rather than the most requests per second.
          LockSupport.parkNanos(pauseNanos);
        }
      }));
    }
    tasks.add(pool.submit(() -> {
      long next = start;
      while (true) {
        next += TimeUnit.SECONDS.toNanos(20);
        if (!sleepUntil(next, deadline)) {
          return null;
        }
        gate.writeLock().lock();
        try {
          load.update(upstream.publish(2));
        } finally {
          gate.writeLock().unlock();
        }
      }
    }));
    List<ProcSample> samples = new ArrayList<>();
    long pid = server.process.pid();
    for (long next = start; next < deadline; next += TimeUnit.SECONDS.toNanos(sampleSeconds)) {
      sleepUntil(next, deadline);
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      samples.add(ProcSample.read(pid, seconds, heapUsedMiB(metrics(client, server)), load.requests.get(),
          load.errors.get()));
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(2, TimeUnit.MINUTES)).as("load threads stop after the deadline").isTrue();
    for (Future<?> task : tasks) {
      task.get(); // a failed update surfaces here
    }
    samples.add(ProcSample.read(pid, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start),
        heapUsedMiB(metrics(client, server)), load.requests.get(), load.errors.get()));
    return samples;
  }

  /** Parks until {@code when}; false when that is past {@code deadline}. */
  private static boolean sleepUntil(long when, long deadline) {
    if (when > deadline) {
      return false;
    }
    long left;
    while ((left = when - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
    return true;
  }

  private static void report(List<ProcSample> samples, SoakLoad load, String metrics, SoakUpstream upstream) {
    StringBuilder out = new StringBuilder("SoakIT: samples\n").append(ProcSample.header()).append('\n');
    samples.forEach(s -> out.append(s.row()).append('\n'));
    out.append("SoakIT: requests by kind ").append(load.counts).append("; reprox outcomes hit ")
        .append((long) count(metrics, "hit")).append(", miss ").append((long) count(metrics, "miss"))
        .append("; generations published ").append(upstream.all().size()).append(", upstream requests ")
        .append(upstream.requests()).append("; errors ").append(load.errors.get()).append(' ').append(load.firstErrors);
    System.out.println(out);
  }

  private static String metrics(HttpClient client, ReproxProcess server) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(server.base() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** Requests of the soak repository with {@code outcome}. */
  private static double count(String metrics, String outcome) {
    return sum(metrics, "reprox_requests_seconds_count{", "outcome=\"" + outcome + "\"");
  }

  private static long heapUsedMiB(String metrics) {
    return (long) (sum(metrics, "jvm_memory_used_bytes{", "area=\"heap\"") / (1024 * 1024));
  }

  private static double sum(String metrics, String prefix, String label) {
    double sum = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith(prefix) && line.contains(label)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
