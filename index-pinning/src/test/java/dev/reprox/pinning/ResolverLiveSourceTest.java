package dev.reprox.pinning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.pinning.Resolution.Status;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Observation;
import dev.reprox.storage.Pin;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@link LiveSource} step: a T after the last fetch but not after now, proven by fetching now. */
class ResolverLiveSourceTest {
  static final String REPO = "debian";
  static final String ROOT = "dists/bookworm/InRelease";
  static final Instant P1 = Instant.parse("2024-03-01T08:00:00Z");
  static final Instant LAST_FETCH = Instant.parse("2024-03-09T12:00:00Z");

  final MutableClock clock = new MutableClock(LAST_FETCH);
  final Storage storage = MemoryStorage.builder().build();
  final List<Instant> liveCalls = new ArrayList<>();
  final List<Instant> snapshotCalls = new ArrayList<>();

  @AfterEach
  void close() {
    storage.close();
  }

  static Digest gen(int n) {
    return Digest.compute(("generation " + n).getBytes(StandardCharsets.US_ASCII));
  }

  void observe(int n, Instant published, Instant fetched, Observation.Source source) throws IOException {
    storage.observations().record(new Observation(REPO, ROOT, gen(n), published, false, fetched, "FP", source));
  }

  /** A live source that, when asked, sees generation {@code n} published at {@code published}, fetched now. */
  LiveSource upstreamServing(int n, Instant published, boolean offline) {
    return new LiveSource() {
      @Override
      public void fetchNow(String repo, String root) throws IOException {
        liveCalls.add(clock.instant());
        observe(n, published, clock.instant(), Observation.Source.LIVE);
      }

      @Override
      public boolean offline(String repo) {
        return offline;
      }
    };
  }

  Resolver resolver(LiveSource live) {
    SnapshotSource snapshots = (repo, root, t) -> {
      snapshotCalls.add(t);
      return false;
    };
    return Resolver.builder().observations(storage.observations()).pins(storage.pins()).clock(clock)
        .snapshotSource(snapshots).liveSource(live).build();
  }

  @Test
  void resolve_tAfterLastFetch_liveFetchOfSameGenerationProvesIt() throws Exception {
    observe(1, P1, LAST_FETCH, Observation.Source.LIVE);
    clock.advance(java.time.Duration.ofMinutes(5));
    Instant t = LAST_FETCH.plusSeconds(60);

    Resolution r = resolver(upstreamServing(1, P1, false)).resolve(REPO, ROOT, t, PinningPolicy.STRICT);

    assertThat(liveCalls).containsExactly(clock.instant());
    assertThat(snapshotCalls).isEmpty();
    assertThat(r.status()).isEqualTo(Status.PROVEN);
    assertThat(r.generation().orElseThrow().digest()).isEqualTo(gen(1));
    assertThat(storage.pins().get(REPO, ROOT, t)).map(Pin::status).contains(Pin.Status.PROVEN);
    // The re-fetch widened the generation's window; its first fetch is kept.
    assertThat(storage.observations().byDigest(REPO, ROOT, gen(1)).orElseThrow())
        .satisfies(g -> assertThat(g.firstFetchedAt()).isEqualTo(LAST_FETCH))
        .satisfies(g -> assertThat(g.lastFetchedAt()).isEqualTo(clock.instant()));
  }

  @Test
  void resolve_liveFetchFindsGenerationPublishedAfterT_fallsThroughToSnapshotAndPolicy() throws Exception {
    observe(1, P1, LAST_FETCH, Observation.Source.LIVE);
    clock.advance(java.time.Duration.ofMinutes(5));
    Instant t = LAST_FETCH.plusSeconds(60);
    LiveSource newer = upstreamServing(2, LAST_FETCH.plusSeconds(120), false);

    Resolution r = resolver(newer).resolve(REPO, ROOT, t, PinningPolicy.BEST_EFFORT);

    assertThat(liveCalls).hasSize(1);
    assertThat(snapshotCalls).containsExactly(t);
    assertThat(r.status()).isEqualTo(Status.UNPROVEN);
    assertThat(r.generation().orElseThrow().digest()).isEqualTo(gen(1));
    assertThat(storage.pins().get(REPO, ROOT, t)).map(Pin::status).contains(Pin.Status.UNPROVEN);
    // Generation 2 was seen after T now, so a later T in the same gap does not fetch again.
    resolver(newer).resolve(REPO, ROOT, t.plusSeconds(1), PinningPolicy.BEST_EFFORT);
    assertThat(liveCalls).hasSize(1);
  }

  @Test
  void resolve_noGenerationKnown_liveRootAskedBeforeTheSnapshotServer() throws Exception {
    // An empty store and a T an hour back: the live root, published before T and fetched now,
    // proves T; the snapshot server (unreachable for many users: retries cost seconds) is not asked.
    clock.advance(java.time.Duration.ofHours(2));
    Instant t = clock.instant().minusSeconds(3600);

    Resolution r = resolver(upstreamServing(1, P1, false)).resolve(REPO, ROOT, t, PinningPolicy.STRICT);

    assertThat(liveCalls).containsExactly(clock.instant());
    assertThat(snapshotCalls).isEmpty();
    assertThat(r.status()).isEqualTo(Status.PROVEN);
    assertThat(r.generation().orElseThrow().digest()).isEqualTo(gen(1));
  }

  @Test
  void resolve_noGenerationKnown_liveRootPublishedAfterT_thenTheSnapshotServer() throws Exception {
    clock.advance(java.time.Duration.ofHours(2));
    Instant t = clock.instant().minusSeconds(3600);

    Resolution r = resolver(upstreamServing(2, t.plusSeconds(60), false)).resolve(REPO, ROOT, t,
        PinningPolicy.BEST_EFFORT);

    assertThat(liveCalls).hasSize(1);
    assertThat(snapshotCalls).containsExactly(t);
    assertThat(r.status()).isEqualTo(Status.FIRST_USE);
  }

  @Test
  void resolve_offline_doesNotCallLiveSource() throws Exception {
    observe(1, P1, LAST_FETCH, Observation.Source.LIVE);
    clock.advance(java.time.Duration.ofMinutes(5));
    Instant t = LAST_FETCH.plusSeconds(60);

    assertThatThrownBy(() -> resolver(upstreamServing(1, P1, true)).resolve(REPO, ROOT, t, PinningPolicy.STRICT))
        .isInstanceOfSatisfying(ResolveException.class,
            e -> assertThat(e.kind()).isEqualTo(ResolveException.Kind.UNPROVEN));
    assertThat(liveCalls).isEmpty();
    assertThat(snapshotCalls).containsExactly(t);
    assertThat(storage.pins().get(REPO, ROOT, t)).isEmpty();
  }

  @Test
  void resolve_tBeforeLastFetch_provenWithoutLiveFetch() throws Exception {
    observe(1, P1, LAST_FETCH, Observation.Source.LIVE);

    Resolution r = resolver(upstreamServing(1, P1, false)).resolve(REPO, ROOT, LAST_FETCH, PinningPolicy.STRICT);

    assertThat(r.status()).isEqualTo(Status.PROVEN);
    assertThat(liveCalls).isEmpty();
  }

  @Test
  void resolve_futureT_isLiveWithoutFetchOrPin() throws Exception {
    observe(1, P1, LAST_FETCH, Observation.Source.LIVE);
    Instant t = LAST_FETCH.plusSeconds(60);

    Resolution r = resolver(upstreamServing(1, P1, false)).resolve(REPO, ROOT, t, PinningPolicy.STRICT);

    assertThat(r.status()).isEqualTo(Status.LIVE);
    assertThat(liveCalls).isEmpty();
    assertThat(storage.pins().get(REPO, ROOT, t)).isEmpty();
  }

  @Test
  void resolve_liveFetchFails_strictReasonNamesIt() throws Exception {
    observe(1, P1, LAST_FETCH, Observation.Source.LIVE);
    clock.advance(java.time.Duration.ofMinutes(5));
    LiveSource failing = (repo, root) -> {
      liveCalls.add(clock.instant());
      throw new IOException("upstream answered 502");
    };

    assertThatThrownBy(() -> resolver(failing).resolve(REPO, ROOT, LAST_FETCH.plusSeconds(60), PinningPolicy.STRICT))
        .hasMessageContaining("upstream answered 502");
    assertThat(liveCalls).hasSize(1);
    assertThat(snapshotCalls).hasSize(1);
  }
}
