package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.Digest;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SingleFlightFetcherTest {
  private static final RepositoryConfig REPO = new RepositoryConfig("test", RepositoryConfig.Format.APT,
      URI.create("http://upstream.invalid/test"), Optional.empty(), new Keyring.None(),
      RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false);

  /** An upstream that answers once per test and fails every later call. */
  static final class OnceUpstream implements Fetcher {
    final AtomicInteger calls = new AtomicInteger();
    final CompletableFuture<Fetched> answer = new CompletableFuture<>();

    @Override
    public CompletableFuture<Fetched> fetch(FetchRequest request) {
      if (calls.incrementAndGet() > 1) {
        return CompletableFuture.failedFuture(new AssertionError("second upstream call for " + request));
      }
      return answer;
    }
  }

  /** A fill whose end the test decides. */
  static final class PendingFill implements Fetched {
    final CompletableFuture<Void> settled = new CompletableFuture<>();

    @Override
    public Outcome outcome() {
      return Outcome.MISS;
    }

    @Override
    public long length() {
      return -1;
    }

    @Override
    public Optional<Digest> digest() {
      return Optional.empty();
    }

    @Override
    public Content open() {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Void> settled() {
      return settled;
    }
  }

  @Test
  void fetch_concurrentSamePath_oneUpstreamCall() {
    OnceUpstream upstream = new OnceUpstream();
    SingleFlightFetcher fetcher = new SingleFlightFetcher(upstream);
    FetchRequest request = new FetchRequest(REPO, "pool/a.deb");

    CompletableFuture<Fetched> first = fetcher.fetch(request);
    CompletableFuture<Fetched> second = fetcher.fetch(request);
    PendingFill fill = new PendingFill();
    upstream.answer.complete(fill);
    CompletableFuture<Fetched> third = fetcher.fetch(request); // headers arrived, body still streaming

    assertThat(first.join()).isSameAs(fill);
    assertThat(second.join()).isSameAs(fill);
    assertThat(third.join()).isSameAs(fill);
    assertThat(upstream.calls).hasValue(1);
    assertThat(fetcher.inFlight()).isEqualTo(1);
  }

  @Test
  void fetch_afterFillSettles_asksUpstreamAgain() {
    AtomicInteger calls = new AtomicInteger();
    PendingFill fill = new PendingFill();
    SingleFlightFetcher fetcher = new SingleFlightFetcher(r -> {
      calls.incrementAndGet();
      return CompletableFuture.completedFuture(fill);
    });
    FetchRequest request = new FetchRequest(REPO, "pool/a.deb");

    fetcher.fetch(request).join();
    fill.settled.complete(null);
    fetcher.fetch(request).join();

    assertThat(calls).hasValue(2);
  }

  @Test
  void fetch_upstreamFails_allWaitersFailAndEntryCleared() {
    OnceUpstream upstream = new OnceUpstream();
    SingleFlightFetcher fetcher = new SingleFlightFetcher(upstream);
    FetchRequest request = new FetchRequest(REPO, "pool/a.deb");

    CompletableFuture<Fetched> first = fetcher.fetch(request);
    CompletableFuture<Fetched> second = fetcher.fetch(request);
    upstream.answer.completeExceptionally(new FetchException(FetchException.Kind.NOT_FOUND, "gone"));

    assertThat(first).isCompletedExceptionally();
    assertThat(second).isCompletedExceptionally();
    assertThat(fetcher.inFlight()).isZero();
  }

  @Test
  void fetch_differentPaths_notCoalesced() {
    AtomicInteger calls = new AtomicInteger();
    SingleFlightFetcher fetcher = new SingleFlightFetcher(r -> {
      calls.incrementAndGet();
      return new CompletableFuture<>();
    });
    fetcher.fetch(new FetchRequest(REPO, "a"));
    fetcher.fetch(new FetchRequest(REPO, "b"));
    assertThat(calls).hasValue(2);
  }

  @Test
  void upstreamUri_reencodesSegments() {
    URI uri = UpstreamFetcher.upstreamUri(new FetchRequest(REPO, "pool/main/g/gcc/libstdc++6 x%.deb"));
    assertThat(uri).hasToString("http://upstream.invalid/test/pool/main/g/gcc/libstdc++6%20x%25.deb");
  }
}
