package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a fill's last byte reaches its tails once the commit's size and digest checks passed,
 * not after the store made the blob durable (a 9 MB listing's flush and synced write took
 * 0.2-0.4 s under load). A failure of the durable part after that stores nothing.
 */
class FillReleaseTest {
  private static final RepositoryConfig REPO = new RepositoryConfig("test", RepositoryConfig.Format.APT,
      URI.create("http://upstream.invalid/test"), Optional.empty(), new Keyring.None(),
      RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false);
  private static final byte[] BODY = new byte[100_000];

  static {
    new Random(14).nextBytes(BODY);
  }

  private final Storage memory = MemoryStorage.builder().build();
  private final HoldingStorage storage = new HoldingStorage(memory);
  private final ExecutorService store = Executors.newSingleThreadExecutor();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final FillTest.FakeSubscription subscription = new FillTest.FakeSubscription();

  @AfterEach
  void tearDown() {
    store.shutdownNow();
    timer.shutdownNow();
    memory.close();
  }

  private Fill fill(FetchRequest request) throws Exception {
    Fill fill = new Fill(request, storage.blobs().newWriter(), BODY.length, storage, store, Clock.systemUTC(), timer,
        Duration.ofMinutes(1));
    fill.onSubscribe(subscription);
    return fill;
  }

  private static void stream(Fill fill) {
    for (int at = 0; at < BODY.length; at += 16_384) {
      fill.onNext(List.of(ByteBuffer.wrap(BODY, at, Math.min(16_384, BODY.length - at))));
    }
    fill.onComplete();
  }

  /** Reads the tail up to the body's length, waiting where it must; the end (-1) is not asked for. */
  private static byte[] readLength(Content tail) throws Exception {
    ByteBuffer got = ByteBuffer.allocate(BODY.length);
    while (got.hasRemaining()) {
      tail.whenReadable(got.position()).get(20, TimeUnit.SECONDS);
      tail.read(got.position(), got);
    }
    return got.array();
  }

  @Test
  void durableCommitHeld_clientHasTheLastByteAlready_storedOnceItGoesOn() throws Exception {
    Digest digest = Digest.compute(BODY);
    HoldingStorage.Gate durable = storage.holdDurable(digest);
    Fill fill = fill(new FetchRequest(REPO, "dists/x/main/binary-amd64/Packages.xz")
        .expecting(new FetchRequest.Expected(digest, BODY.length)));
    Content tail = fill.open();

    stream(fill);
    assertThat(durable.awaitEntered()).isTrue(); // checks passed, the store not done yet

    // Without the early release this waits for the gate: the read times out.
    assertThat(readLength(tail)).isEqualTo(BODY);
    assertThat(fill.verified()).isCompleted();
    assertThat(fill.settled()).isNotDone();
    assertThat(fill.digest()).isEmpty();
    assertThat(memory.blobs().stat(digest)).isEmpty();
    assertThat(tail.whenReadable(BODY.length)).isNotDone(); // the end still waits for the commit

    durable.open();
    fill.settled().get(20, TimeUnit.SECONDS);
    assertThat(fill.digest()).hasValue(digest);
    assertThat(memory.blobs().stat(digest)).isPresent();
    tail.whenReadable(BODY.length).get(20, TimeUnit.SECONDS);
    assertThat(tail.read(BODY.length, ByteBuffer.allocate(1))).isEqualTo(-1);
    tail.close();
  }

  @Test
  void durablePartFailsAfterRelease_nothingStoredNoRef_nextReaderCut() throws Exception {
    Digest digest = Digest.compute(BODY);
    HoldingStorage.Gate durable = storage.holdDurable(digest);
    storage.failDurable(digest);
    Fill fill = fill(new FetchRequest(REPO, "pool/a.deb")); // pass-through: a ref on success
    Content tail = fill.open();

    stream(fill);
    assertThat(durable.awaitEntered()).isTrue();
    // The client holds the whole body, which passed its checks (here: the length)...
    assertThat(readLength(tail)).isEqualTo(BODY);
    durable.open();

    // ...and the store then fails: nothing stored, no ref names a missing blob, the fill settles
    // without a digest (a listing's indexer indexes nothing), the next request fetches again.
    fill.settled().get(20, TimeUnit.SECONDS);
    assertThat(fill.digest()).isEmpty();
    assertThat(memory.blobs().stat(digest)).isEmpty();
    assertThat(memory.refs().get("test", "pool/a.deb")).isEmpty();
    assertThatThrownBy(() -> tail.whenReadable(BODY.length).get(20, TimeUnit.SECONDS)).isNotNull();
    tail.close();
  }
}
