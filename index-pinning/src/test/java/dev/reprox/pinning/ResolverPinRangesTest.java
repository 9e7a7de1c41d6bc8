package dev.reprox.pinning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.pinning.Resolution.Status;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Observation;
import dev.reprox.storage.Pin;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import dev.reprox.storage.rocks.RocksStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins as ranges through the resolver: many distinct T values with one answer share one record,
 * and no T already answered changes.
 */
class ResolverPinRangesTest {
  static final String REPO = "debian";
  static final String ROOT = "dists/bookworm/InRelease";
  static final Instant P1 = Instant.parse("2024-03-01T08:00:00Z");
  static final Instant P2 = Instant.parse("2024-03-05T08:00:00Z");
  static final Instant NOW = Instant.parse("2024-03-10T00:00:00Z");

  final MutableClock clock = new MutableClock(NOW);

  @TempDir
  Path dir;

  static Digest gen(int n) {
    return Digest.compute(("generation " + n).getBytes(StandardCharsets.US_ASCII));
  }

  static void observe(Storage s, int n, Instant published, Instant fetched) throws IOException {
    s.observations().record(new Observation(REPO, ROOT, gen(n), published, false, fetched, "FP",
        Observation.Source.LIVE));
  }

  Resolver resolver(Storage s, SnapshotSource snapshots) {
    Resolver.Builder b = Resolver.builder().observations(s.observations()).pins(s.pins()).clock(clock);
    return (snapshots == null ? b : b.snapshotSource(snapshots)).build();
  }

  /** The data RocksDB keeps: write-ahead logs, tables and blob files (not its LOG, OPTIONS or MANIFEST). */
  static long bytesOnDisk(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.getFileName().toString().matches("[0-9]+\\.(log|sst|blob)"))
          .mapToLong(p -> p.toFile().length()).sum();
    }
  }

  /** 10,000 distinct T values, all proven by generation 1 (watched from P1 to P2): RocksDB growth. */
  @Test
  void resolve_10000ProvenTs_oneRecord_storeGrowsByAFewKb() throws Exception {
    try (Storage s = RocksStorage.builder().path(dir).clock(clock).build()) {
      observe(s, 1, P1, P1);
      observe(s, 1, P1, P2);
      Resolver r = resolver(s, null);
      long before = bytesOnDisk(dir);
      Random random = new Random(1);
      long span = P2.getEpochSecond() - P1.getEpochSecond();
      for (int i = 0; i < 10_000; i++) {
        Instant t = P1.plusSeconds(random.nextLong(span)).plusNanos(i);
        Resolution res = r.resolve(REPO, ROOT, t, PinningPolicy.BEST_EFFORT);
        assertThat(res.status()).isEqualTo(Status.PROVEN);
        assertThat(res.generation().orElseThrow().digest()).isEqualTo(gen(1));
      }
      long grown = bytesOnDisk(dir) - before;
      System.out.println("pins for 10,000 proven T values: " + s.pins().list(REPO).size() + " record(s), store grew "
          + grown + " bytes");
      assertThat(s.pins().list(REPO)).hasSize(1);
      assertThat(grown).isLessThan(8192);
    }
  }

  /** Distant past with no snapshot server: first-use answers for T values before the first publication join. */
  @Test
  void resolve_10000FirstUseTs_noSnapshotServer_oneRecord() throws Exception {
    try (Storage s = RocksStorage.builder().path(dir).clock(clock).build()) {
      observe(s, 1, P1, P2);
      Resolver r = resolver(s, null);
      long before = bytesOnDisk(dir);
      Random random = new Random(2);
      for (int i = 0; i < 10_000; i++) {
        Instant t = P1.minusSeconds(1 + random.nextInt(100_000_000)).plusNanos(i);
        assertThat(r.resolve(REPO, ROOT, t, PinningPolicy.BEST_EFFORT).status()).isEqualTo(Status.FIRST_USE);
      }
      long grown = bytesOnDisk(dir) - before;
      System.out.println("pins for 10,000 first-use T values: " + s.pins().list(REPO).size()
          + " record(s), store grew " + grown + " bytes");
      assertThat(s.pins().list(REPO)).hasSize(1);
      assertThat(grown).isLessThan(8192);
    }
  }

  /**
   * Ascending T values (builds over time): each new T extends the one record, rewriting its key;
   * the store keeps one key, the write-ahead log one small record per extension until a flush.
   */
  @Test
  void resolve_10000AscendingProvenTs_oneKey() throws Exception {
    try (Storage s = RocksStorage.builder().path(dir).clock(clock).build()) {
      observe(s, 1, P1, P1);
      observe(s, 1, P1, P2);
      Resolver r = resolver(s, null);
      long before = bytesOnDisk(dir);
      for (int i = 0; i < 10_000; i++) {
        assertThat(r.resolve(REPO, ROOT, P1.plusSeconds(i * 30L), PinningPolicy.BEST_EFFORT).status())
            .isEqualTo(Status.PROVEN);
      }
      System.out.println("pins for 10,000 ascending proven T values: " + s.pins().list(REPO).size()
          + " record(s), write-ahead log and tables grew " + (bytesOnDisk(dir) - before) + " bytes");
      assertThat(s.pins().list(REPO)).hasSize(1);
    }
  }

  /**
   * A snapshot server that failed for T may answer another T: the unproven answer stands for T
   * alone, and a T the server later proves gets its own, different answer.
   */
  @Test
  void resolve_snapshotServerFailed_pinsTAlone_laterTStillAsked() throws Exception {
    Storage s = MemoryStorage.builder().build();
    observe(s, 1, P1, P1);
    Instant t1 = P1.plusSeconds(3600);
    Instant t2 = P1.plusSeconds(7200);
    boolean[] up = {false};
    Resolver r = resolver(s, (repo, root, t) -> {
      if (!up[0]) {
        throw new IOException("down");
      }
      observe(s, 2, t.minusSeconds(60), t); // what the server shows for t: a generation of just before
      return true;
    });

    Resolution first = r.resolve(REPO, ROOT, t1, PinningPolicy.BEST_EFFORT);
    up[0] = true;
    Resolution second = r.resolve(REPO, ROOT, t2, PinningPolicy.BEST_EFFORT);

    assertThat(first.status()).isEqualTo(Status.UNPROVEN);
    assertThat(first.pin().orElseThrow().from()).isEqualTo(t1);
    assertThat(first.pin().orElseThrow().to()).isEqualTo(t1);
    assertThat(second.status()).isEqualTo(Status.PROVEN);
    assertThat(second.generation().orElseThrow().digest()).isEqualTo(gen(2));
    assertThat(r.resolve(REPO, ROOT, t1, PinningPolicy.BEST_EFFORT).pin()).isEqualTo(first.pin());
  }

  /** A proven range never swallows a T answered before: the earlier answer stands. */
  @Test
  void resolve_provenRange_isCutAtAnEarlierAnswer() throws Exception {
    Storage s = MemoryStorage.builder().build();
    observe(s, 1, P1, P1);
    Instant t = P1.plusSeconds(3600);
    Resolution early = resolver(s, null).resolve(REPO, ROOT, t, PinningPolicy.BEST_EFFORT);
    observe(s, 1, P1, P2); // generation 1 seen again later: now every T up to P2 is proven

    Resolution after = resolver(s, null).resolve(REPO, ROOT, t.plusSeconds(60), PinningPolicy.BEST_EFFORT);
    Resolution before = resolver(s, null).resolve(REPO, ROOT, t.minusSeconds(60), PinningPolicy.BEST_EFFORT);

    assertThat(early.status()).isEqualTo(Status.UNPROVEN);
    assertThat(resolver(s, null).resolve(REPO, ROOT, t, PinningPolicy.BEST_EFFORT).status())
        .isEqualTo(Status.UNPROVEN);
    assertThat(after.status()).isEqualTo(Status.PROVEN);
    assertThat(before.status()).isEqualTo(Status.PROVEN);
    assertThat(s.pins().list(REPO)).extracting(Pin::status)
        .containsExactly(Pin.Status.PROVEN, Pin.Status.UNPROVEN, Pin.Status.PROVEN);
    s.close();
  }

  /** Superseded generation, no snapshot server: unproven answers in the gap after its last sighting join. */
  @Test
  void resolve_unprovenGapOfSupersededGeneration_oneRecord() throws Exception {
    Storage s = MemoryStorage.builder().build();
    observe(s, 1, P1, P1);
    observe(s, 2, P2, P2);
    Resolver r = resolver(s, null);

    for (int i = 1; i <= 1000; i++) {
      Instant t = P1.plusSeconds(i * 300L);
      Resolution res = r.resolve(REPO, ROOT, t, PinningPolicy.BEST_EFFORT);
      assertThat(res.status()).isEqualTo(Status.UNPROVEN);
      assertThat(res.generation().orElseThrow().digest()).isEqualTo(gen(1));
    }

    assertThat(s.pins().list(REPO)).singleElement().satisfies(p -> {
      assertThat(p.from()).isEqualTo(P1.plusSeconds(300));
      assertThat(p.to()).isEqualTo(P1.plusSeconds(300_000));
    });
    s.close();
  }

  /**
   * A range grows only with the questions: a generation published later inside the proven window
   * of an earlier one (a backdated or lagging upstream) still answers the T values after it that
   * nobody had asked about.
   */
  @Test
  void resolve_generationAppearingInsideAnsweredWindow_answersTsNotYetAsked() throws Exception {
    Storage s = MemoryStorage.builder().build();
    observe(s, 1, P1, NOW);
    Instant t1 = P1.plusSeconds(3600);
    Resolution first = resolver(s, null).resolve(REPO, ROOT, t1, PinningPolicy.BEST_EFFORT);
    observe(s, 2, P2, NOW);

    Resolution later = resolver(s, null).resolve(REPO, ROOT, P2.plusSeconds(60), PinningPolicy.BEST_EFFORT);

    assertThat(first.generation().orElseThrow().digest()).isEqualTo(gen(1));
    assertThat(later.generation().orElseThrow().digest()).isEqualTo(gen(2));
    assertThat(resolver(s, null).resolve(REPO, ROOT, t1, PinningPolicy.BEST_EFFORT).pin()).isEqualTo(first.pin());
    s.close();
  }
}
