package dev.reprox.pinning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.pinning.Resolution.Status;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Observation;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResolverTest {
  static final String REPO = "debian";
  static final String ROOT = "dists/bookworm/InRelease";
  static final Instant P1 = Instant.parse("2024-03-01T08:00:00Z");
  static final Instant P2 = Instant.parse("2024-03-01T14:00:00Z");
  static final Instant P3 = Instant.parse("2024-03-01T20:00:00Z");
  static final Duration SECOND = Duration.ofSeconds(1);

  final MutableClock clock = new MutableClock(Instant.parse("2024-03-10T00:00:00Z"));
  final Storage storage = MemoryStorage.builder().build();
  final List<Instant> snapshotCalls = new ArrayList<>();

  @AfterEach
  void close() {
    storage.close();
  }

  Resolver resolver() {
    return Resolver.builder().observations(storage.observations()).pins(storage.pins()).clock(clock).build();
  }

  Resolver resolver(SnapshotSource source) {
    return Resolver.builder().observations(storage.observations()).pins(storage.pins()).clock(clock)
        .snapshotSource(source).build();
  }

  static Digest gen(int n) {
    return Digest.compute(("generation " + n).getBytes(StandardCharsets.US_ASCII));
  }

  void observe(int n, Instant published, Instant fetched) throws IOException {
    observe(n, published, fetched, Observation.Source.LIVE);
  }

  void observe(int n, Instant published, Instant fetched, Observation.Source source) throws IOException {
    storage.observations().record(new Observation(REPO, ROOT, gen(n), published, false, fetched, "FP", source));
  }

  /** Three generations, each watched continuously until the next one appeared (one second late). */
  void continuousHistory() throws IOException {
    observe(1, P1, P1.plusSeconds(5));
    observe(1, P1, P2.plusSeconds(1));
    observe(2, P2, P2.plusSeconds(1));
    observe(2, P2, P3.plusSeconds(1));
    observe(3, P3, P3.plusSeconds(1));
    observe(3, P3, Instant.parse("2024-03-09T00:00:00Z"));
  }

  Resolution resolve(Instant t) throws Exception {
    return resolver().resolve(REPO, ROOT, t, PinningPolicy.BEST_EFFORT);
  }

  @Test
  void resolve_exactlyAtPublication_picksThatGeneration() throws Exception {
    continuousHistory();

    assertThat(resolve(P2).generation().orElseThrow().digest()).isEqualTo(gen(2));
    assertThat(resolve(P2).status()).isEqualTo(Status.PROVEN);
  }

  @Test
  void resolve_justBeforePublication_picksPreviousGeneration() throws Exception {
    continuousHistory();

    Resolution r = resolve(P2.minus(SECOND));

    assertThat(r.generation().orElseThrow().digest()).isEqualTo(gen(1));
    assertThat(r.status()).isEqualTo(Status.PROVEN);
  }

  @Test
  void resolve_justAfterPublication_picksThatGeneration() throws Exception {
    continuousHistory();

    assertThat(resolve(P2.plus(SECOND)).generation().orElseThrow().digest()).isEqualTo(gen(2));
  }

  @Test
  void resolve_afterLast_picksLastProvenUntilLastFetch() throws Exception {
    continuousHistory();

    assertThat(resolve(Instant.parse("2024-03-08T00:00:00Z")).status()).isEqualTo(Status.PROVEN);
    Resolution after = resolve(Instant.parse("2024-03-09T12:00:00Z"));
    assertThat(after.generation().orElseThrow().digest()).isEqualTo(gen(3));
    assertThat(after.status()).isEqualTo(Status.UNPROVEN);
  }

  @Test
  void resolve_beforeFirst_isFirstUseOfEarliest() throws Exception {
    continuousHistory();

    Resolution r = resolve(P1.minus(SECOND));

    assertThat(r.generation().orElseThrow().digest()).isEqualTo(gen(1));
    assertThat(r.status()).isEqualTo(Status.FIRST_USE);
    assertThat(r.headerValue()).isEqualTo("first-use");
  }

  @Test
  void resolve_gapInObservations_isUnproven() throws Exception {
    observe(1, P1, P1.plusSeconds(5)); // seen once, then nothing until gen 3
    observe(3, P3, P3.plusSeconds(5));

    Resolution r = resolve(P2);

    assertThat(r.generation().orElseThrow().digest()).isEqualTo(gen(1));
    assertThat(r.status()).isEqualTo(Status.UNPROVEN);
  }

  @Test
  void resolve_laterGenerationAlone_provesNothing() throws Exception {
    observe(1, P1, P1.plusSeconds(5));
    observe(2, P2, P2.plusSeconds(5));

    assertThat(resolve(P1.plusSeconds(60)).status()).isEqualTo(Status.UNPROVEN);
  }

  @Test
  void resolve_firstAnswerPinned_unchangedAfterLaterObservations() throws Exception {
    observe(1, P1, P1.plusSeconds(5));
    Instant t = P2.plusSeconds(60);
    Resolution first = resolve(t);
    assertThat(first.pinnedNow()).isTrue();
    assertThat(first.status()).isEqualTo(Status.UNPROVEN);

    // Later we learn that generation 2 was published before t and was still current after it.
    observe(2, P2, P3);
    Resolution again = resolve(t);

    assertThat(again.generation().orElseThrow().digest()).isEqualTo(gen(1));
    assertThat(again.status()).isEqualTo(Status.UNPROVEN);
    assertThat(again.pinnedNow()).isFalse();
    assertThat(again.pin()).isEqualTo(first.pin());
    assertThat(storage.pins().list(REPO)).hasSize(1);
  }

  @Test
  void resolve_pinnedProven_survivesPolicyChangeToStrict() throws Exception {
    continuousHistory();
    Resolution first = resolve(P2);

    Resolution strict = resolver().resolve(REPO, ROOT, P2, PinningPolicy.STRICT);

    assertThat(strict.pin()).isEqualTo(first.pin());
  }

  @Test
  void resolve_strictUnproven_throwsWithReasonAndPinsNothing() throws Exception {
    observe(1, P1, P1.plusSeconds(5));

    assertThatThrownBy(() -> resolver().resolve(REPO, ROOT, P2, PinningPolicy.STRICT))
        .isInstanceOfSatisfying(ResolveException.class,
            e -> assertThat(e.kind()).isEqualTo(ResolveException.Kind.UNPROVEN))
        .hasMessageContaining("resolve debian dists/bookworm/InRelease @20240301T140000Z")
        .hasMessageContaining("last seen " + P1.plusSeconds(5))
        .hasMessageContaining("no snapshot server configured");
    assertThat(storage.pins().list(REPO)).isEmpty();
  }

  @Test
  void resolve_strictBeforeFirst_throwsUnproven() throws Exception {
    observe(1, P1, P1.plusSeconds(5));

    assertThatThrownBy(() -> resolver().resolve(REPO, ROOT, P1.minus(SECOND), PinningPolicy.STRICT))
        .isInstanceOfSatisfying(ResolveException.class,
            e -> assertThat(e.kind()).isEqualTo(ResolveException.Kind.UNPROVEN))
        .hasMessageContaining("no generation published at or before T");
  }

  @Test
  void resolve_futureT_isLiveAndNotPinned() throws Exception {
    continuousHistory();
    Instant future = clock.instant().plus(SECOND);

    Resolution r = resolve(future);

    assertThat(r.status()).isEqualTo(Status.LIVE);
    assertThat(r.generation()).isEmpty();
    assertThat(storage.pins().list(REPO)).isEmpty();
  }

  @Test
  void resolve_tBecomesPast_isPinnedThen() throws Exception {
    continuousHistory();
    Instant t = clock.instant().plus(Duration.ofHours(1));
    assertThat(resolve(t).status()).isEqualTo(Status.LIVE);

    clock.advance(Duration.ofHours(2));
    observe(3, P3, clock.instant()); // the watch saw gen 3 still current

    assertThat(resolve(t).status()).isEqualTo(Status.PROVEN);
  }

  @Test
  void resolve_nothingKnown_throwsNoGeneration() {
    assertThatThrownBy(() -> resolve(P1))
        .isInstanceOfSatisfying(ResolveException.class,
            e -> assertThat(e.kind()).isEqualTo(ResolveException.Kind.NO_GENERATION));
  }

  @Test
  void resolve_unproven_asksSnapshotServerWhichProvesIt() throws Exception {
    observe(1, P1, P1.plusSeconds(5));
    SnapshotSource source = (repo, root, t) -> {
      snapshotCalls.add(t);
      observe(2, P2, t, Observation.Source.SNAPSHOT_SERVER);
      return true;
    };
    Instant t = P2.plusSeconds(600);

    Resolution r = resolver(source).resolve(REPO, ROOT, t, PinningPolicy.STRICT);

    assertThat(snapshotCalls).containsExactly(t);
    assertThat(r.generation().orElseThrow().digest()).isEqualTo(gen(2));
    assertThat(r.status()).isEqualTo(Status.PROVEN);
  }

  @Test
  void resolve_proven_doesNotAskSnapshotServer() throws Exception {
    continuousHistory();
    SnapshotSource source = (repo, root, t) -> {
      snapshotCalls.add(t);
      return false;
    };

    resolver(source).resolve(REPO, ROOT, P2, PinningPolicy.BEST_EFFORT);

    assertThat(snapshotCalls).isEmpty();
  }

  @Test
  void resolve_snapshotServerFails_fallsThroughToPolicy() throws Exception {
    observe(1, P1, P1.plusSeconds(5));
    SnapshotSource failing = (repo, root, t) -> {
      throw new IOException("429 Too Many Requests");
    };

    Resolution r = resolver(failing).resolve(REPO, ROOT, P2, PinningPolicy.BEST_EFFORT);
    assertThat(r.status()).isEqualTo(Status.UNPROVEN);
    assertThatThrownBy(() -> resolver(failing).resolve(REPO, ROOT, P2.plusSeconds(1), PinningPolicy.STRICT))
        .hasMessageContaining("429 Too Many Requests");
  }

  @Test
  void resolve_pinRecordsClockTimeAndGeneration() throws Exception {
    continuousHistory();

    Resolution r = resolve(P2);

    assertThat(r.pin().orElseThrow().pinnedAt()).isEqualTo(clock.instant());
    assertThat(r.pin().orElseThrow().generation()).isEqualTo(gen(2));
    assertThat(r.generation().orElseThrow().publishedAt()).isEqualTo(P2);
  }
}
