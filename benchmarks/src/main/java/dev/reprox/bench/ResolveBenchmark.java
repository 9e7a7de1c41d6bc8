package dev.reprox.bench;

import dev.reprox.pinning.PinningPolicy;
import dev.reprox.pinning.Resolution;
import dev.reprox.pinning.Resolver;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Observation;
import dev.reprox.storage.Observations;
import dev.reprox.storage.Storage;
import dev.reprox.storage.rocks.RocksStorage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Issue 3: Resolve(T) latency with 100,000 generations of one root index in a {@link RocksStorage}
 * (a temporary directory). Generation i is published at 2000-01-01 + i × 6 h and last fetched 6 h
 * later, so every T in the history is proven. Prints the time to record the history, then p50/p99
 * of three calls at random T: the bare floor seek ({@link Observations#floor}), a first resolve of
 * a T (floor + pin written) and a repeated resolve of the same T (pin read + generation by digest).
 *
 * <p>Run from the repository root:
 * <pre>
 * ./mvnw -B -o -q -pl index-pinning -am install -DskipTests &amp;&amp; ./mvnw -B -o -q -pl benchmarks compile exec:exec -Dbench.main=dev.reprox.bench.ResolveBenchmark
 * </pre>
 * ({@code -Dbench.generations=N} changes the history size, {@code -Dbench.dir=DIR} the scratch directory.)
 */
public final class ResolveBenchmark {
  private static final String REPO = "debian";
  private static final String ROOT = "dists/bookworm/InRelease";
  private static final Instant FIRST = Instant.parse("2000-01-01T00:00:00Z");
  private static final Duration STEP = Duration.ofHours(6);
  private static final int WARMUP = 20_000;
  private static final int SAMPLES = 20_000;

  private ResolveBenchmark() {}

  public static void main(String[] args) throws Exception {
    int generations = Integer.getInteger("bench.generations", 100_000);
    Instant end = FIRST.plus(STEP.multipliedBy(generations));
    Clock clock = Clock.fixed(end.plus(Duration.ofDays(1)), ZoneOffset.UTC);
    Path dir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", System.getProperty("java.io.tmpdir"))),
        "reprox-resolve");
    try (Storage storage = RocksStorage.builder().path(dir).clock(clock).build()) {
      long recordNanos = Timings.time(() -> record(storage.observations(), generations));
      System.out.printf("recorded %,d generations in %.1f s (%,.0f observations/s)%n", generations,
          recordNanos / 1e9, generations / (recordNanos / 1e9));
      Resolver resolver = Resolver.builder().observations(storage.observations()).pins(storage.pins()).clock(clock)
          .build();
      Random random = new Random(42);
      long span = end.getEpochSecond() - FIRST.getEpochSecond();
      for (int i = 0; i < WARMUP; i++) {
        Instant t = FIRST.plusSeconds((long) (random.nextDouble() * span));
        storage.observations().floor(REPO, ROOT, t);
        resolver.resolve(REPO, ROOT, t, PinningPolicy.BEST_EFFORT);
      }
      Instant[] ts = new Instant[SAMPLES];
      for (int i = 0; i < SAMPLES; i++) {
        ts[i] = FIRST.plusSeconds((long) (random.nextDouble() * span));
      }
      long[] floor = new long[SAMPLES];
      long[] first = new long[SAMPLES];
      long[] repeat = new long[SAMPLES];
      for (int i = 0; i < SAMPLES; i++) {
        Instant t = ts[i];
        long a = System.nanoTime();
        storage.observations().floor(REPO, ROOT, t).orElseThrow();
        long b = System.nanoTime();
        Resolution r = resolver.resolve(REPO, ROOT, t, PinningPolicy.BEST_EFFORT);
        long c = System.nanoTime();
        resolver.resolve(REPO, ROOT, t, PinningPolicy.BEST_EFFORT);
        long d = System.nanoTime();
        floor[i] = b - a;
        first[i] = c - b;
        repeat[i] = d - c;
        check(r, t);
      }
      System.out.printf("%-40s %9s %9s %9s%n", "call (" + SAMPLES + " random T)", "p50 µs", "p99 µs", "max µs");
      row("floor seek", floor);
      row("resolve, first time (pins)", first);
      row("resolve, repeated (pin hit)", repeat);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void record(Observations observations, int generations) throws Exception {
    for (int i = 0; i < generations; i++) {
      Instant published = FIRST.plus(STEP.multipliedBy(i));
      byte[] id = ByteBuffer.allocate(8).putLong(i).array();
      observations.record(new Observation(REPO, ROOT, Digest.compute(id), published, false, published.plus(STEP),
          "0000000000000000000000000000000000000000", Observation.Source.LIVE));
    }
  }

  /** The answer must be the generation published in T's 6-hour slot, proven: else the figures mean nothing. */
  private static void check(Resolution r, Instant t) {
    long slot = (t.getEpochSecond() - FIRST.getEpochSecond()) / STEP.getSeconds();
    Instant expected = FIRST.plus(STEP.multipliedBy(slot));
    boolean right = r.status() == Resolution.Status.PROVEN
        && r.generation().map(g -> g.publishedAt().equals(expected)).orElse(false);
    if (!right) {
      throw new IllegalStateException("resolve @" + t + " answered " + r + ", expected the generation published "
          + expected);
    }
  }

  private static void row(String name, long[] nanos) {
    Timings t = new Timings(nanos);
    System.out.printf("%-40s %9.1f %9.1f %9.1f%n", name, Timings.micros(t.median()), Timings.micros(t.percentile(99)),
        Timings.micros(t.max()));
  }
}
