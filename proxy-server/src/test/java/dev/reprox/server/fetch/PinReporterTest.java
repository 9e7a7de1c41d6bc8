package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.pinning.Resolution;
import dev.reprox.server.testing.CapturedLog;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Generation;
import dev.reprox.storage.Observation;
import dev.reprox.storage.Pin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Unproven and first-use answers: counted, and one WARN line per (repository, root, T). */
class PinReporterTest {
  private static final Instant T = Instant.parse("2024-03-01T00:00:00Z");
  private static final Instant PUBLISHED = Instant.parse("2024-03-02T06:00:00Z");
  private static final Digest G = Digest.compute("g".getBytes(StandardCharsets.UTF_8));
  private static final String ROOT = "dists/bookworm-security/InRelease";

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final PinReporter reporter = new PinReporter(registry);

  @Test
  void firstUse_manyRequests_oneWarnLineNamingGenerationPublicationAndWhy_everyOneCounted() {
    reporter.snapshotAsked("debian-security", ROOT, T, "snapshot server failed: upstream http://snap/ gave up");
    try (CapturedLog log = new CapturedLog(PinReporter.class)) {
      reporter.answered(resolution(Resolution.Status.FIRST_USE, T, true));
      for (int i = 0; i < 18; i++) {
        reporter.answered(resolution(Resolution.Status.FIRST_USE, T, false));
      }

      assertThat(log.warnings()).singleElement().satisfies(line -> assertThat(line)
          .startsWith("pin debian-security " + ROOT + " @20240301T000000Z: serving first-use generation " + G
              + " published " + PUBLISHED)
          .contains("no generation published at or before T was ever observed")
          .contains("snapshot server failed: upstream http://snap/ gave up"));
    }
    assertThat(registry.get("reprox.pins").tag("repo", "debian-security").tag("status", "first-use").counter()
        .count()).isEqualTo(19);
  }

  @Test
  void unproven_otherT_warnedSeparately_provenNeverWarned() {
    try (CapturedLog log = new CapturedLog(PinReporter.class)) {
      reporter.answered(resolution(Resolution.Status.UNPROVEN, T, true));
      reporter.answered(resolution(Resolution.Status.UNPROVEN, T.plusSeconds(60), true));
      reporter.answered(resolution(Resolution.Status.PROVEN, T.plusSeconds(120), true));
      reporter.refused("debian-security");

      assertThat(log.warnings()).hasSize(2).allSatisfy(line -> assertThat(line).contains("serving unproven")
          .contains("its last observation was at " + T.minusSeconds(3600) + ", before T")
          .contains("the snapshot server was not asked"));
    }
    assertThat(registry.get("reprox.pins").tag("status", "unproven").counter().count()).isEqualTo(2);
    assertThat(registry.get("reprox.pins").tag("status", "proven").counter().count()).isEqualTo(1);
    assertThat(registry.get("reprox.pins").tag("status", "refused").counter().count()).isEqualTo(1);
  }

  @Test
  void warnedKeys_bounded_forgottenKeyMayWarnAgain() {
    try (CapturedLog log = new CapturedLog(PinReporter.class)) {
      for (int i = 0; i <= PinReporter.CAPACITY * 2; i++) {
        reporter.answered(resolution(Resolution.Status.FIRST_USE, T.plusSeconds(i), true));
      }
      assertThat(log.warnings()).hasSize(PinReporter.CAPACITY * 2 + 1);
    }
    // The memory of warned keys stays near its bound however many Ts were answered.
    reporter.cleanUp();
    assertThat(reporter.warnedSize()).isLessThanOrEqualTo(PinReporter.CAPACITY);
  }

  private static Resolution resolution(Resolution.Status status, Instant at, boolean pinnedNow) {
    Instant lastFetched = status == Resolution.Status.FIRST_USE ? PUBLISHED.plusSeconds(60) : T.minusSeconds(3600);
    Generation g = new Generation("debian-security", ROOT, G, PUBLISHED, false, PUBLISHED.plusSeconds(60), lastFetched,
        "signer", Observation.Source.LIVE);
    Pin.Status ps = switch (status) {
      case PROVEN -> Pin.Status.PROVEN;
      case UNPROVEN -> Pin.Status.UNPROVEN;
      default -> Pin.Status.FIRST_USE;
    };
    Pin pin = Pin.at("debian-security", ROOT, at, G, ps, T.plusSeconds(7200));
    return new Resolution("debian-security", ROOT, at, status, Optional.of(g), Optional.of(pin), pinnedNow);
  }
}
