package dev.reprox.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The sliding average, on a clock the test moves. */
class RateWindowTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2024-03-01T00:00:00Z"));
  // 1 KiB/s over 4 s, sampled every second.
  private final RateWindow window = new RateWindow(clock, 1024, 4000);

  private long tick(long bytes) {
    window.add(bytes);
    clock.advance(Duration.ofSeconds(1));
    return window.sample();
  }

  @Test
  void sample_trickleShorterThanAWindow_notJudged() {
    assertThat(tick(10)).isEqualTo(-1);
    assertThat(tick(10)).isEqualTo(-1);
    assertThat(tick(10)).isEqualTo(-1);
  }

  @Test
  void sample_trickleForAWholeWindow_reportsItsRate() {
    tick(10);
    tick(10);
    tick(10);
    assertThat(tick(10)).isEqualTo(10);
  }

  @Test
  void sample_fastBody_neverTooSlow() {
    for (int i = 0; i < 20; i++) {
      assertThat(tick(64 * 1024)).isEqualTo(-1);
    }
  }

  @Test
  void sample_fastThenTrickle_judgedOnTheLastWindowOnly() {
    for (int i = 0; i < 10; i++) {
      tick(1 << 20);
    }
    // The 10 MiB already received must not excuse a trickle once a whole window of it has passed.
    assertThat(tick(10)).isEqualTo(-1); // the window still holds 3 s of the fast part
    assertThat(tick(10)).isEqualTo(-1);
    assertThat(tick(10)).isEqualTo(-1);
    assertThat(tick(10)).isEqualTo(10);
  }

  @Test
  void sample_justAboveTheMinimum_passes() {
    for (int i = 0; i < 10; i++) {
      assertThat(tick(1100)).isEqualTo(-1);
    }
  }

  @Test
  void sample_burstsAveragingAboveTheMinimum_pass() {
    // 4 KiB every 3 s is 1.33 KiB/s on average, though two of three seconds bring nothing.
    for (int i = 0; i < 12; i++) {
      assertThat(tick(i % 3 == 0 ? 4096 : 0)).isEqualTo(-1);
    }
  }
}
