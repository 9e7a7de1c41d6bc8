package dev.reprox.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.server.fetch.Content;
import dev.reprox.server.fetch.FetchRequest;
import dev.reprox.server.fetch.Fetched;
import dev.reprox.server.fetch.Provenance;
import dev.reprox.storage.Digest;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HotAnswersTest {
  private static final RepositoryConfig REPO = new RepositoryConfig("debian", RepositoryConfig.Format.APT,
      URI.create("http://127.0.0.1:9/debian"), Optional.empty(), new Keyring.None(),
      RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false);
  private static final FetchRequest LIVE = new FetchRequest(REPO, "pool/main/h/hello.deb");
  private static final FetchRequest PINNED = new FetchRequest(REPO, "pool/main/h/hello.deb",
      Optional.of(Instant.parse("2024-03-01T00:00:00Z")), null, null);

  private final AtomicLong nanos = new AtomicLong();
  private final HotAnswers answers = new HotAnswers(100, nanos::get);

  @Test
  void immutableHit_isKept_withItsReaderOpenedOnce() throws Exception {
    FakeFetched found = new FakeFetched(Fetched.Outcome.HIT, true);

    Fetched kept = answers.offer(PINNED, found);

    assertThat(kept).isNotSameAs(found);
    assertThat(found.keptCalls).isEqualTo(1);
    assertThat(answers.get(PINNED).fetched).isSameAs(kept);
    assertThat(answers.get(LIVE)).isNull(); // another key: live is not the pinned answer
  }

  @Test
  void missesAndMutableAnswers_areNotKept() throws Exception {
    assertThat(answers.offer(LIVE, new FakeFetched(Fetched.Outcome.MISS, true))).isInstanceOf(FakeFetched.class);
    assertThat(answers.get(LIVE)).isNull();
    assertThat(answers.offer(LIVE, new FakeFetched(Fetched.Outcome.HIT, false))).isInstanceOf(FakeFetched.class);
    assertThat(answers.get(LIVE)).isNull();
  }

  @Test
  void liveAnswer_expiresAfterMoments_pinnedStaysWhileUsed() throws Exception {
    answers.offer(LIVE, new FakeFetched(Fetched.Outcome.HIT, true));
    answers.offer(PINNED, new FakeFetched(Fetched.Outcome.HIT, true));

    for (int i = 0; i < 10; i++) {
      nanos.addAndGet(HotAnswers.LIVE.toNanos() / 2);
      assertThat(answers.get(PINNED)).isNotNull(); // used: stays
    }

    assertThat(answers.get(LIVE)).isNull(); // the root may have moved on
    nanos.addAndGet(HotAnswers.PINNED_IDLE.toNanos() + 1);
    assertThat(answers.get(PINNED)).isNull(); // idle too long
  }

  @Test
  void answersThatLeave_expiredOrReplaced_handTheirReaderBackOnce() throws Exception {
    FakeFetched first = (FakeFetched) answers.offer(LIVE, new FakeFetched(Fetched.Outcome.HIT, true));
    FakeFetched second = (FakeFetched) answers.offer(LIVE, new FakeFetched(Fetched.Outcome.HIT, true));
    FakeFetched pinned = (FakeFetched) answers.offer(PINNED, new FakeFetched(Fetched.Outcome.HIT, true));

    assertThat(first.released).as("replaced").isEqualTo(1);
    assertThat(second.released).isZero();
    nanos.addAndGet(HotAnswers.LIVE.toNanos() + 1);
    answers.cleanUp();
    assertThat(second.released).as("expired").isEqualTo(1);
    assertThat(pinned.released).as("still kept").isZero();
    nanos.addAndGet(HotAnswers.PINNED_IDLE.toNanos() + 1);
    answers.cleanUp();
    assertThat(pinned.released).isEqualTo(1);
    assertThat(first.released).isEqualTo(1);
  }

  @Test
  void liveAnswerInUse_refreshedOnceAtHalfItsLife_replacedBeforeItExpires_pinnedNever() throws Exception {
    answers.offer(LIVE, new FakeFetched(Fetched.Outcome.HIT, true));
    answers.offer(PINNED, new FakeFetched(Fetched.Outcome.HIT, true));
    AtomicLong refreshes = new AtomicLong();
    Runnable refresh = refreshes::incrementAndGet;

    assertThat(answers.get(LIVE, refresh)).isNotNull();
    assertThat(refreshes).hasValue(0); // fresh: nothing to do

    nanos.addAndGet(HotAnswers.LIVE_REFRESH.toNanos());
    assertThat(answers.get(LIVE, refresh)).isNotNull(); // still served while it is looked up again
    assertThat(answers.get(LIVE, refresh)).isNotNull();
    assertThat(refreshes).hasValue(1); // once, not once per request

    Fetched refreshed = answers.offer(LIVE, new FakeFetched(Fetched.Outcome.HIT, true));
    nanos.addAndGet(HotAnswers.LIVE.toNanos() - HotAnswers.LIVE_REFRESH.toNanos() + 1);
    assertThat(answers.get(LIVE, refresh).fetched).isSameAs(refreshed); // the old one would have expired here
    assertThat(refreshes).hasValue(2); // and the refreshed one is due in its turn

    nanos.addAndGet(HotAnswers.LIVE.toNanos());
    assertThat(answers.get(LIVE, refresh)).isNull(); // not refreshed in time: expires as before
    assertThat(answers.get(PINNED, refresh)).isNotNull();
    assertThat(refreshes).as("a pinned answer never changes: never looked up again").hasValue(2);
  }

  @Test
  void front_neverServesAnAnswerTheCacheNoLongerWould_replacedOrExpired() throws Exception {
    Fetched first = answers.offer(LIVE, new FakeFetched(Fetched.Outcome.HIT, true));
    assertThat(answers.get(LIVE).fetched).isSameAs(first); // now in this thread's front

    Fetched second = answers.offer(LIVE, new FakeFetched(Fetched.Outcome.HIT, true));
    assertThat(answers.get(LIVE).fetched).as("replaced").isSameAs(second);

    nanos.addAndGet(HotAnswers.LIVE.toNanos() - 1);
    assertThat(answers.get(LIVE).fetched).isSameAs(second); // checked against the cache just now
    nanos.addAndGet(1); // well within the front's recheck interval, but the answer's life is over
    assertThat(answers.get(LIVE)).as("expired").isNull();
  }

  @Test
  void front_neverServesAnEvictedAnswer() throws Exception {
    HotAnswers small = new HotAnswers(1, nanos::get);
    FetchRequest other = new FetchRequest(REPO, "pool/main/o/other.deb");
    FakeFetched a = (FakeFetched) small.offer(LIVE, new FakeFetched(Fetched.Outcome.HIT, true));
    FakeFetched b = (FakeFetched) small.offer(other, new FakeFetched(Fetched.Outcome.HIT, true));
    small.get(LIVE);
    small.get(other); // both in the front, whichever the cache keeps

    small.cleanUp();

    assertThat(a.released + b.released).as("one of the two evicted").isEqualTo(1);
    assertThat(small.get(a.released > 0 ? LIVE : other)).isNull();
    assertThat(small.get(a.released > 0 ? other : LIVE)).isNotNull();
  }

  @Test
  void front_pinnedAnswerUsedThroughIt_stillInUseForTheCache() throws Exception {
    FakeFetched pinned = (FakeFetched) answers.offer(PINNED, new FakeFetched(Fetched.Outcome.HIT, true));

    for (int minute = 0; minute < 3 * HotAnswers.PINNED_IDLE.toMinutes(); minute++) {
      nanos.addAndGet(Duration.ofMinutes(1).toNanos());
      assertThat(answers.get(PINNED)).isNotNull();
      answers.cleanUp(); // the cache expires what it thinks idle
    }

    assertThat(pinned.released).as("never idle in the cache while used").isZero();
  }

  /** A body that counts how often its reader is kept, and how often a kept one is released. */
  private static class FakeFetched implements Fetched {
    private final Outcome outcome;
    private final boolean immutable;
    int keptCalls;
    int released;

    @Override
    public void release() {
      released++;
    }

    FakeFetched(Outcome outcome, boolean immutable) {
      this.outcome = outcome;
      this.immutable = immutable;
    }

    @Override
    public Outcome outcome() {
      return outcome;
    }

    @Override
    public long length() {
      return 3;
    }

    @Override
    public Optional<Digest> digest() {
      return Optional.of(Digest.compute(new byte[] {1, 2, 3}));
    }

    @Override
    public Content open() {
      throw new UnsupportedOperationException("not opened in these tests");
    }

    @Override
    public Optional<Fetched> withReaderKept() {
      keptCalls++;
      return Optional.of(new FakeFetched(outcome, immutable) {
        @Override
        public Optional<Fetched> withReaderKept() {
          return Optional.of(this);
        }
      });
    }

    @Override
    public CompletableFuture<Void> settled() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public Provenance provenance() {
      return new Provenance(Optional.empty(), Optional.empty(), Optional.of("proven"), immutable, false);
    }
  }
}
