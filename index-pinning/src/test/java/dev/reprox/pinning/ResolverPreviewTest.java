package dev.reprox.pinning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Observation;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Resolver#preview}: the answer a request would get, with nothing fetched or pinned. */
class ResolverPreviewTest {
  static final String REPO = "debian";
  static final String ROOT = "dists/bookworm/InRelease";
  static final Instant P1 = Instant.parse("2024-03-01T08:00:00Z");
  static final Instant NOW = Instant.parse("2024-03-10T00:00:00Z");

  final MutableClock clock = new MutableClock(NOW);
  final Storage storage = MemoryStorage.builder().build();
  final List<String> asked = new ArrayList<>();

  @AfterEach
  void close() {
    storage.close();
  }

  static Digest gen(int n) {
    return Digest.compute(("generation " + n).getBytes(StandardCharsets.US_ASCII));
  }

  Resolver resolver() {
    return Resolver.builder().observations(storage.observations()).pins(storage.pins()).clock(clock)
        .snapshotSource((repo, root, t) -> {
          asked.add("snapshot " + t);
          return false;
        })
        .liveSource(new LiveSource() {
          @Override
          public void fetchNow(String repo, String root) {
            asked.add("live");
          }

          @Override
          public boolean offline(String repo) {
            return false;
          }
        }).build();
  }

  void observe(int n, Instant published, Instant fetched) throws Exception {
    storage.observations().record(new Observation(REPO, ROOT, gen(n), published, false, fetched, "FP",
        Observation.Source.LIVE));
  }

  @Test
  void preview_proven_wouldPin_writesNothing_thenShowsThePinResolveWrote() throws Exception {
    observe(1, P1, NOW);
    Instant t = P1.plusSeconds(60);

    Preview before = resolver().preview(REPO, ROOT, t, PinningPolicy.BEST_EFFORT);
    assertThat(before.status()).isEqualTo(Preview.Status.PROVEN);
    assertThat(before.generation().orElseThrow().digest()).isEqualTo(gen(1));
    assertThat(before.wouldPin()).isTrue();
    assertThat(before.pin()).isEmpty();
    assertThat(storage.pins().list(REPO)).isEmpty();

    Resolution resolved = resolver().resolve(REPO, ROOT, t, PinningPolicy.BEST_EFFORT);
    Preview after = resolver().preview(REPO, ROOT, t, PinningPolicy.BEST_EFFORT);
    assertThat(after.pin()).isEqualTo(resolved.pin());
    assertThat(after.wouldPin()).isFalse();
  }

  @Test
  void preview_unprovenOrStrict_asksNoSource_andSaysARequestMayFetch() throws Exception {
    observe(1, P1, P1);
    Instant t = P1.plusSeconds(3600);

    Preview bestEffort = resolver().preview(REPO, ROOT, t, PinningPolicy.BEST_EFFORT);
    Preview strict = resolver().preview(REPO, ROOT, t, PinningPolicy.STRICT);
    Preview early = resolver().preview(REPO, ROOT, P1.minusSeconds(1), PinningPolicy.BEST_EFFORT);
    Preview future = resolver().preview(REPO, ROOT, NOW.plusSeconds(1), PinningPolicy.BEST_EFFORT);
    Preview never = resolver().preview(REPO, "dists/other/InRelease", t, PinningPolicy.BEST_EFFORT);

    assertThat(bestEffort.status()).isEqualTo(Preview.Status.UNPROVEN);
    assertThat(bestEffort.mayFetch()).isTrue();
    assertThat(strict.status()).isEqualTo(Preview.Status.REFUSED);
    assertThat(strict.wouldPin()).isFalse();
    assertThat(early.status()).isEqualTo(Preview.Status.FIRST_USE);
    assertThat(future.status()).isEqualTo(Preview.Status.LIVE);
    assertThat(never.status()).isEqualTo(Preview.Status.NO_GENERATION);
    assertThat(asked).isEmpty();
    assertThat(storage.pins().list(REPO)).isEmpty();
  }
}
