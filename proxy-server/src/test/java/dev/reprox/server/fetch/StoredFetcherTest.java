package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Ref;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StoredFetcherTest {
  private static final RepositoryConfig REPO = new RepositoryConfig("test", RepositoryConfig.Format.APT,
      URI.create("http://upstream.invalid/test"), Optional.empty(), new Keyring.None(),
      RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false);

  private final FillTest.MutableClock clock = new FillTest.MutableClock();
  private final Storage storage = MemoryStorage.builder().clock(clock).build();
  private final AtomicInteger upstreamCalls = new AtomicInteger();
  private CompletableFuture<Fetched> upstreamAnswer;

  @BeforeEach
  void store() throws Exception {
    BlobInfo info;
    try (BlobWriter w = storage.blobs().newWriter()) {
      w.write(ByteBuffer.wrap("index".getBytes()));
      info = w.commit(null, -1);
    }
    storage.refs().put(new Ref("test", "dists/bookworm/InRelease", info.digest(), clock.instant()));
    storage.refs().put(new Ref("test", "pool/main/a.deb", info.digest(), clock.instant()));
  }

  @AfterEach
  void close() {
    storage.close();
  }

  private StoredFetcher fetcher(boolean offline) {
    return new StoredFetcher(storage, Runnable::run, clock, offline, r -> {
      upstreamCalls.incrementAndGet();
      return upstreamAnswer;
    });
  }

  private Fetched fetch(StoredFetcher f, String path) {
    return f.fetch(new FetchRequest(REPO, path)).join();
  }

  @Test
  void fetch_freshIndex_servedWithoutUpstream() {
    clock.millis.addAndGet(59_000);
    assertThat(fetch(fetcher(false), "dists/bookworm/InRelease").outcome()).isEqualTo(Fetched.Outcome.HIT);
    assertThat(upstreamCalls).hasValue(0);
  }

  @Test
  void fetch_staleIndex_asksUpstream() {
    clock.millis.addAndGet(61_000);
    SingleFlightFetcherTest.PendingFill fill = new SingleFlightFetcherTest.PendingFill();
    upstreamAnswer = CompletableFuture.completedFuture(fill);
    assertThat(fetch(fetcher(false), "dists/bookworm/InRelease")).isSameAs(fill);
    assertThat(upstreamCalls).hasValue(1);
  }

  @Test
  void fetch_staleIndexUpstreamDown_servesStoredCopy() {
    clock.millis.addAndGet(61_000);
    upstreamAnswer = CompletableFuture.failedFuture(
        new FetchException(FetchException.Kind.UPSTREAM_UNREACHABLE, "connection refused"));
    assertThat(fetch(fetcher(false), "dists/bookworm/InRelease").outcome()).isEqualTo(Fetched.Outcome.HIT);
  }

  @Test
  void fetch_staleIndexUpstreamSays404_fails() {
    clock.millis.addAndGet(61_000);
    upstreamAnswer = CompletableFuture.failedFuture(new FetchException(FetchException.Kind.NOT_FOUND, "gone"));
    assertThat(fetcher(false).fetch(new FetchRequest(REPO, "dists/bookworm/InRelease")))
        .isCompletedExceptionally();
  }

  @Test
  void fetch_staleIndexOffline_servedWithoutUpstream() {
    clock.millis.addAndGet(3_600_000);
    assertThat(fetch(fetcher(true), "dists/bookworm/InRelease").outcome()).isEqualTo(Fetched.Outcome.HIT);
    assertThat(upstreamCalls).hasValue(0);
  }

  @Test
  void fetch_oldPoolPackage_staysFresh() {
    clock.millis.addAndGet(365L * 24 * 3_600_000);
    assertThat(fetch(fetcher(false), "pool/main/a.deb").outcome()).isEqualTo(Fetched.Outcome.HIT);
    assertThat(upstreamCalls).hasValue(0);
  }

  @Test
  void keptReader_closesWhenTheKeeperAndEveryClientLetGo_thenOpensItsOwn() throws Exception {
    Fetched stored = fetch(fetcher(false), "pool/main/a.deb");
    StoredFetcher.Kept kept = (StoredFetcher.Kept) stored.withReaderKept().orElseThrow();
    assertThat(kept.holds()).as("the keeper's").isEqualTo(1);

    Content client = kept.open();
    assertThat(kept.holds()).isEqualTo(2);
    kept.release(); // the cache let go while a client still reads
    assertThat(kept.holds()).isEqualTo(1);
    ByteBuffer dst = ByteBuffer.allocate(16);
    assertThat(client.read(0, dst)).isEqualTo(5);
    client.close();
    client.close(); // twice: counted once
    assertThat(kept.holds()).as("the shared reader is closed").isZero();

    // Found just before it left the cache: served with a reader of its own; kept again: a new one.
    try (Content late = kept.open()) {
      assertThat(late.read(0, ByteBuffer.allocate(16))).isEqualTo(5);
    }
    Fetched again = kept.withReaderKept().orElseThrow();
    assertThat(again).isNotSameAs(kept);
    assertThat(((StoredFetcher.Kept) again).holds()).isEqualTo(1);
  }
}
