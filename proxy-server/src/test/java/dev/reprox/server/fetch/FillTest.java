package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import dev.reprox.storage.WriteCancelledException;
import dev.reprox.storage.memory.MemoryStorage;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FillTest {
  private static final RepositoryConfig REPO = new RepositoryConfig("test", RepositoryConfig.Format.APT,
      URI.create("http://upstream.invalid/test"), Optional.empty(), new Keyring.None(),
      RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false);
  private static final FetchRequest REQUEST = new FetchRequest(REPO, "pool/a.deb");
  private static final Executor DIRECT = Runnable::run;

  /** A clock the test moves by hand. */
  static final class MutableClock extends Clock {
    final AtomicLong millis = new AtomicLong(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }
  }

  static final class FakeSubscription implements Flow.Subscription {
    final AtomicLong requested = new AtomicLong();
    final AtomicBoolean cancelled = new AtomicBoolean();

    @Override
    public void request(long n) {
      requested.addAndGet(n);
    }

    @Override
    public void cancel() {
      cancelled.set(true);
    }
  }

  private final MutableClock clock = new MutableClock();
  private final Storage storage = MemoryStorage.builder().clock(clock).build();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final FakeSubscription subscription = new FakeSubscription();

  @AfterEach
  void tearDown() {
    timer.shutdownNow();
    storage.close();
  }

  private Fill fill(long contentLength, Duration idle) throws Exception {
    Fill fill = new Fill(REQUEST, storage.blobs().newWriter(), contentLength, storage, DIRECT, clock, timer, idle);
    fill.onSubscribe(subscription);
    return fill;
  }

  @Test
  void complete_commitsAndWritesRef() throws Exception {
    Fill fill = fill(6, Duration.ofMinutes(1));
    Content tail = fill.open();
    fill.onNext(List.of(ByteBuffer.wrap("abc".getBytes()), ByteBuffer.wrap("def".getBytes())));
    ByteBuffer dst = ByteBuffer.allocate(16);
    // The last byte waits for the commit: a client never holds a complete unverified body.
    assertThat(tail.read(0, dst)).isEqualTo(5);
    assertThat(tail.read(5, dst)).isZero();
    fill.onComplete();
    assertThat(tail.read(5, dst)).isEqualTo(1);

    assertThat(fill.settled()).isCompleted();
    // The window at subscribe, then one more for the one piece written.
    assertThat(subscription.requested).hasValue(Fill.WINDOW + 1);
    Digest digest = Digest.compute("abcdef".getBytes());
    assertThat(fill.digest()).hasValue(digest);
    assertThat(storage.refs().get("test", "pool/a.deb")).hasValueSatisfying(r -> {
      assertThat(r.digest()).isEqualTo(digest);
      assertThat(r.seenAt()).isEqualTo(clock.instant());
    });
    assertThat(tail.read(6, dst)).isEqualTo(-1);
    tail.close();
  }

  @Test
  void shortBody_cancelsTailsAndStoresNothing() throws Exception {
    Fill fill = fill(10, Duration.ofMinutes(1));
    Content tail = fill.open();
    CompletableFuture<?> waiting = tail.whenReadable(0);
    fill.onNext(List.of(ByteBuffer.wrap("abc".getBytes())));
    fill.onComplete();

    assertThat(fill.settled()).isCompleted();
    assertThatThrownBy(() -> tail.read(3, ByteBuffer.allocate(16))).isInstanceOf(WriteCancelledException.class);
    assertThat(waiting).isCompleted(); // woke for the first bytes
    assertThat(storage.refs().get("test", "pool/a.deb")).isEmpty();
    assertThat(storage.blobs().stat(Digest.compute("abc".getBytes()))).isEmpty();
    tail.close();
  }

  /** A retry right after a failed fill joined the dead fill and was cut too (seen under load). */
  @Test
  void failure_settlesBeforeTailsLearnOfIt_soARetryStartsAFreshFill() throws Exception {
    Fill fill = fill(10, Duration.ofMinutes(1));
    Content tail = fill.open();
    CompletableFuture<Boolean> settledWhenTailFailed = tail.whenReadable(0)
        .handle((v, e) -> e != null ? fill.settled().isDone() : null);
    fill.onError(new java.io.IOException("connection reset"));

    assertThat(settledWhenTailFailed).isCompletedWithValue(true);
    tail.close();
  }

  @Test
  void upstreamError_cancelsAndCutsUpstream() throws Exception {
    Fill fill = fill(-1, Duration.ofMinutes(1));
    Content tail = fill.open();
    CompletableFuture<?> waiting = tail.whenReadable(0);
    fill.onError(new java.io.IOException("connection reset"));

    assertThat(waiting).isCompletedExceptionally();
    assertThat(subscription.cancelled).isTrue();
    assertThat(storage.refs().get("test", "pool/a.deb")).isEmpty();
    tail.close();
  }

  @Test
  void idleUpstream_abandonedAfterTimeout() throws Exception {
    Fill fill = fill(-1, Duration.ofMillis(400));
    Content tail = fill.open();
    fill.onNext(List.of(ByteBuffer.wrap("abc".getBytes())));
    CompletableFuture<?> waiting = tail.whenReadable(3);
    clock.millis.addAndGet(1000); // the upstream has been silent for longer than the idle timeout

    fill.settled().get(10, TimeUnit.SECONDS);
    assertThat(subscription.cancelled).isTrue();
    assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    assertThat(storage.refs().get("test", "pool/a.deb")).isEmpty();
    tail.close();
  }

  /**
   * Issue 14: a 9 MB listing came in 577 pieces of 16 KB, each asked for only after the one before
   * was written, one storage hop apiece. The window keeps the client reading while the store writes,
   * and one write task takes every piece waiting.
   */
  @Test
  void manyPieces_askedAheadAndWrittenInOneTask_byteIdenticalWithLastByteHeld() throws Exception {
    java.util.ArrayDeque<Runnable> queued = new java.util.ArrayDeque<>();
    byte[] body = new byte[Fill.WINDOW * 1000 + 7];
    new java.util.Random(14).nextBytes(body);
    Fill fill = new Fill(REQUEST, storage.blobs().newWriter(), body.length, storage, queued::add, clock, timer,
        Duration.ofMinutes(1));
    fill.onSubscribe(subscription);
    Content tail = fill.open();
    assertThat(subscription.requested).hasValue(Fill.WINDOW);

    int pieces = 0;
    for (int at = 0; at < body.length; at += 1000, pieces++) {
      // The upstream never gets more than the window ahead of the store.
      assertThat(pieces).isLessThan((int) subscription.requested.get());
      fill.onNext(List.of(ByteBuffer.wrap(body, at, Math.min(1000, body.length - at))));
      if (pieces % Fill.WINDOW == Fill.WINDOW - 1) {
        assertThat(queued).hasSize(1); // one write task for all the pieces that waited
        queued.poll().run();
      }
    }
    while (!queued.isEmpty()) {
      queued.poll().run();
    }
    assertThat(subscription.requested).hasValue(Fill.WINDOW + pieces);

    ByteBuffer got = ByteBuffer.allocate(body.length);
    while (tail.read(got.position(), got) > 0) {
      // everything but the last byte, which waits for the digest check
    }
    assertThat(got.position()).isEqualTo(body.length - 1);
    assertThat(tail.whenReadable(body.length - 1)).isNotDone();

    fill.onComplete();
    queued.poll().run();
    assertThat(tail.read(got.position(), got)).isEqualTo(1);
    assertThat(got.array()).isEqualTo(body);
    assertThat(fill.digest()).hasValue(Digest.compute(body));
    tail.close();
  }
}
