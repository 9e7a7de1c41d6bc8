package dev.reprox.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2024-03-01T00:00:00Z"));

  @Test
  void reserve_withinBurst_goesNow() {
    TokenBucket bucket = new TokenBucket(clock, 5, 3);
    assertThat(bucket.reserve()).isZero();
    assertThat(bucket.reserve()).isZero();
    assertThat(bucket.reserve()).isZero();
  }

  @Test
  void reserve_beyondBurst_queuesCallersOneIntervalApart() {
    TokenBucket bucket = new TokenBucket(clock, 5, 1);
    assertThat(bucket.reserve()).isZero();
    assertThat(bucket.reserve()).isEqualTo(200);
    assertThat(bucket.reserve()).isEqualTo(400);
    assertThat(bucket.reserve()).isEqualTo(600);
  }

  @Test
  void reserve_afterQuietSpell_refillsUpToBurstOnly() {
    TokenBucket bucket = new TokenBucket(clock, 5, 2);
    bucket.reserve();
    bucket.reserve();
    clock.advance(Duration.ofSeconds(10)); // 50 tokens' worth, but the bucket holds 2
    assertThat(bucket.reserve()).isZero();
    assertThat(bucket.reserve()).isZero();
    assertThat(bucket.reserve()).isEqualTo(200);
  }
}
