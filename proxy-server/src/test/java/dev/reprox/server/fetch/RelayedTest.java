package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The relay's window: the upstream is asked for more only as the one reader drains it. */
class RelayedTest {
  private static final int PIECE = 64 * 1024;
  private static final RepositoryConfig REPO = new RepositoryConfig("unsig", RepositoryConfig.Format.APT,
      URI.create("http://127.0.0.1:9/up"), Optional.empty(), new Keyring.None(),
      RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false);

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final Clock clock = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);

  /** Counts requests and cancels; delivers nothing by itself. */
  static final class Subscription implements Flow.Subscription {
    long requested;
    boolean cancelled;

    @Override
    public synchronized void request(long n) {
      requested += n;
    }

    @Override
    public synchronized void cancel() {
      cancelled = true;
    }
  }

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  private Relayed relayed(long length) {
    return new Relayed(new FetchRequest(REPO, "some/README"), length, clock, timer, Duration.ofSeconds(60));
  }

  private static List<ByteBuffer> piece(int size, byte fill) {
    byte[] b = new byte[size];
    java.util.Arrays.fill(b, fill);
    return List.of(ByteBuffer.wrap(b));
  }

  @Test
  void upstreamPieces_askedForOnlyWhileTheReaderKeepsTheWindowBelowItsLimit() throws Exception {
    Relayed r = relayed(-1);
    Subscription s = new Subscription();
    r.onSubscribe(s);
    assertThat(s.requested).isEqualTo(1);
    int delivered = 0;
    // Nobody reads: the upstream is asked again only until the window is full.
    while (s.requested > delivered) {
      r.onNext(piece(PIECE, (byte) delivered));
      delivered++;
    }
    assertThat((long) delivered * PIECE).as("bytes held for a reader that does not read")
        .isGreaterThanOrEqualTo(Relayed.WINDOW).isLessThan(Relayed.WINDOW + PIECE);
    Content c = r.open();
    ByteBuffer dst = ByteBuffer.allocate(PIECE);
    assertThat(c.read(0, dst)).isEqualTo(PIECE);
    assertThat(dst.array()[0]).isZero();
    assertThat(s.requested).as("reading made room for one more piece").isEqualTo(delivered + 1);
    assertThat(s.cancelled).isFalse();
  }

  @Test
  void wholeBody_readInOrder_thenEnd() throws Exception {
    Relayed r = relayed(3 * PIECE);
    Subscription s = new Subscription();
    r.onSubscribe(s);
    Content c = r.open();
    assertThat(c.read(0, ByteBuffer.allocate(10))).as("nothing there yet").isZero();
    assertThat(c.whenReadable(0)).isNotDone();
    var readable = c.whenReadable(0);
    for (int i = 0; i < 3; i++) {
      r.onNext(piece(PIECE, (byte) (i + 1)));
    }
    assertThat(readable).isCompleted();
    ByteBuffer all = ByteBuffer.allocate(4 * PIECE);
    long position = 0;
    int n;
    while ((n = c.read(position, all)) > 0) {
      position += n;
    }
    assertThat(n).as("not ended: the upstream has not completed").isZero();
    r.onComplete();
    assertThat(c.read(position, all)).isEqualTo(-1);
    assertThat(position).isEqualTo(3 * PIECE);
    assertThat(all.array()[2 * PIECE]).isEqualTo((byte) 3);
  }

  @Test
  void upstreamCut_readerFails_notEnded() throws Exception {
    Relayed r = relayed(3 * PIECE);
    Subscription s = new Subscription();
    r.onSubscribe(s);
    Content c = r.open();
    r.onNext(piece(PIECE, (byte) 1));
    var readable = c.whenReadable(PIECE);
    r.onError(new IOException("connection reset"));
    assertThat(readable).isCompletedExceptionally();
    assertThatThrownBy(() -> c.read(0, ByteBuffer.allocate(PIECE))).isInstanceOf(IOException.class)
        .hasMessageContaining("connection reset");
  }

  @Test
  void readerClosed_cancelsTheUpstream() throws Exception {
    Relayed r = relayed(-1);
    Subscription s = new Subscription();
    r.onSubscribe(s);
    r.onNext(piece(PIECE, (byte) 1));
    r.open().close();
    assertThat(s.cancelled).isTrue();
    assertThat(r.settled()).isDone();
  }

  @Test
  void noReader_cancelsTheUpstream() {
    Relayed r = relayed(-1);
    Subscription s = new Subscription();
    r.onSubscribe(s);
    r.noReader();
    assertThat(s.cancelled).isTrue();
  }

  @Test
  void secondOpen_fails_readerBehindGone() throws Exception {
    Relayed r = relayed(-1);
    r.onSubscribe(new Subscription());
    Content c = r.open();
    assertThatThrownBy(r::open).isInstanceOf(IOException.class).hasMessageContaining("one reader");
    r.onNext(piece(PIECE, (byte) 1));
    assertThat(c.read(100, ByteBuffer.allocate(10))).as("a Range start: bytes before it dropped").isEqualTo(10);
    assertThatThrownBy(() -> c.read(0, ByteBuffer.allocate(10))).isInstanceOf(IOException.class)
        .hasMessageContaining("relayed already");
  }
}
