package dev.reprox.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.MutableClock;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The cut itself: the timer is the test calling {@code check()} after moving the clock. */
class MinRateSubscriberTest {
  private static final URI URL = URI.create("http://mirror.example/debian/pool/main/h/hello.deb");
  private final MutableClock clock = new MutableClock(Instant.parse("2024-03-01T00:00:00Z"));
  private final Recording delegate = new Recording();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final AtomicBoolean timerStopped = new AtomicBoolean();
  private final MinRateSubscriber<Void> subscriber = new MinRateSubscriber<>(delegate,
      new RateWindow(clock, 1024, 2000), URL, 1024, 2000, check -> {
        CompletableFuture<Void> handle = new CompletableFuture<>();
        handle.whenComplete((v, e) -> timerStopped.set(true));
        return handle;
      });

  MinRateSubscriberTest() {
    subscriber.onSubscribe(new Flow.Subscription() {
      @Override
      public void request(long n) {}

      @Override
      public void cancel() {
        cancelled.set(true);
      }
    });
  }

  private void second(int bytes) {
    subscriber.onNext(List.of(ByteBuffer.allocate(bytes)));
    clock.advance(Duration.ofMillis(500));
    subscriber.check();
    clock.advance(Duration.ofMillis(500));
    subscriber.check();
  }

  @Test
  void check_tenBytesASecondForAWindow_cutsWithTooSlow_cancelsUpstream_stopsTimer() {
    second(10);
    assertThat(delegate.error).isNull();
    second(10);

    assertThat(delegate.error).isInstanceOf(UpstreamTooSlowException.class)
        .hasMessageContaining(URL.toString()).hasMessageContaining("10 B/s").hasMessageContaining("1024 B/s");
    assertThat(((UpstreamTooSlowException) delegate.error).uri()).isEqualTo(URL);
    assertThat(cancelled).isTrue();
    assertThat(timerStopped).isTrue();
  }

  @Test
  void check_afterCut_laterSignalsNeverReachTheDelegate() {
    second(10);
    second(10);
    subscriber.onNext(List.of(ByteBuffer.allocate(100_000)));
    subscriber.onComplete();
    subscriber.onError(new java.io.IOException("late"));
    assertThat(delegate.items.get()).isEqualTo(2);
    assertThat(delegate.completed).isFalse();
    assertThat(delegate.errors.get()).isEqualTo(1);
  }

  @Test
  void check_fastBody_passesEverythingThrough_completeStopsTimer() {
    for (int i = 0; i < 5; i++) {
      second(8192);
    }
    subscriber.onComplete();
    assertThat(delegate.error).isNull();
    assertThat(delegate.items.get()).isEqualTo(5);
    assertThat(delegate.completed).isTrue();
    assertThat(cancelled).isFalse();
    assertThat(timerStopped).isTrue();
  }

  /** Records what it is told. */
  private static final class Recording implements HttpResponse.BodySubscriber<Void> {
    final AtomicInteger items = new AtomicInteger();
    final AtomicInteger errors = new AtomicInteger();
    volatile Throwable error;
    volatile boolean completed;

    @Override
    public CompletionStage<Void> getBody() {
      return new CompletableFuture<>();
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {}

    @Override
    public void onNext(List<ByteBuffer> item) {
      items.incrementAndGet();
    }

    @Override
    public void onError(Throwable throwable) {
      errors.incrementAndGet();
      error = throwable;
    }

    @Override
    public void onComplete() {
      completed = true;
    }
  }
}
