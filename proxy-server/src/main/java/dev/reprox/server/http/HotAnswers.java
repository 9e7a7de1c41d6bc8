package dev.reprox.server.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.reprox.server.fetch.FetchRequest;
import dev.reprox.server.fetch.Fetched;
import io.netty.util.concurrent.FastThreadLocal;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Recent answers to requests for bodies that do not change, with their storage reader kept open,
 * so a repeated request is answered on the event loop: no lookup, no thread hop, and (when the
 * bytes are hot) no copy. Only immutable stored hits are kept: packages, by-hash files and
 * anything pinned to a T. A pinned answer never changes (the pin is forever), so it stays while
 * it is used; a live one may change when the root index does, so it is kept for a moment only —
 * long enough to absorb a burst, far shorter than the max-age clients are told.
 *
 * <p>A live answer still in use is looked up again in the background once it is {@link
 * #LIVE_REFRESH} old ({@link #get(FetchRequest, Runnable)}), and the new answer replaces it before
 * it expires: without that every client of a busy path waited, every 2 s, for a full lookup (on the
 * shared store eight PostgreSQL round trips, measured as the gap between a replica's warm hits and
 * a single node's). No answer is served older than before: {@link #LIVE} after its lookup.
 *
 * <p>Each thread (an event loop) has a small front of the answers it served lately, read without
 * touching the shared cache: Caffeine's bookkeeping of every read (its read buffer, shared by the
 * event loops) was the largest single cost of a warm hit (issue 14). The front never serves what
 * the cache would not: an answer that left the cache (expired, evicted, replaced) is marked
 * {@link Answer#gone} as it leaves, a live one is not served past its own expiry, and an entry is
 * checked against the cache again after {@link #FRONT_RECHECK}, which is also how the cache still
 * sees a pinned answer in use (its idle expiry counts from the last read).
 */
final class HotAnswers {
  /** How long a live answer is reused; roots revalidate after a minute by default. */
  static final Duration LIVE = Duration.ofSeconds(2);
  /** How long a pinned answer stays after its last use. */
  static final Duration PINNED_IDLE = Duration.ofMinutes(10);
  /** How old a live answer in use is when it is looked up again, in the background. */
  static final Duration LIVE_REFRESH = LIVE.dividedBy(2);
  /** How long a thread's front serves an answer before it asks the cache again. */
  static final Duration FRONT_RECHECK = Duration.ofMillis(100);
  /** The most answers in one thread's front; a full front starts over. */
  static final int FRONT_MAX = 256;

  record Key(String repository, String path, Optional<java.time.Instant> at, String base) {
    static Key of(FetchRequest r) {
      return new Key(r.repository().name(), r.path(), r.at(), r.base() == null ? "" : r.base().toString());
    }

    // Written out: a record's generated hashCode and equals go through method handles, which
    // showed in a warm hit's profile; every request hashes and compares one key.
    @Override
    public int hashCode() {
      return ((repository.hashCode() * 31 + path.hashCode()) * 31 + at.hashCode()) * 31 + base.hashCode();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && path.equals(k.path) && repository.equals(k.repository) && at.equals(k.at)
          && base.equals(k.base);
    }
  }

  /**
   * A kept answer; once it has been served, the headers of its 200 that depend on it alone
   * ({@link BodyResponse#answerHeaders}), built once and copied into each response; and for a live
   * one, when it is due to be looked up again and whether someone is doing it.
   */
  static final class Answer {
    final Fetched fetched;
    volatile io.netty.handler.codec.http.HttpHeaders headers;
    /** The Content-Length of the whole body, once it has been served whole. */
    volatile io.netty.util.AsciiString length;
    /** The kind of its path for the request metrics, once it has been served. */
    volatile String kind;
    final long refreshAt;
    /** When a live answer expires at the latest (the cache's own time is later); pinned: never. */
    final long expiresAt;
    final AtomicBoolean refreshing = new AtomicBoolean();
    /** Set as it leaves the cache: from then on no front serves it. */
    volatile boolean gone;

    Answer(Fetched fetched, long refreshAt, long expiresAt) {
      this.fetched = fetched;
      this.refreshAt = refreshAt;
      this.expiresAt = expiresAt;
    }

    boolean expired(long now) {
      return expiresAt != Long.MAX_VALUE && now - expiresAt >= 0;
    }
  }

  /** One thread's recent answers, with when each was last read from the cache. Thread-confined. */
  private static final class Front {
    final java.util.HashMap<Key, Slot> slots = new java.util.HashMap<>();
  }

  private static final class Slot {
    Answer answer;
    long checkedAt;
  }

  private final Cache<Key, Answer> answers;
  private final Ticker ticker;
  private final FastThreadLocal<Front> fronts = new FastThreadLocal<>() {
    @Override
    protected Front initialValue() {
      return new Front();
    }
  };

  HotAnswers(long maxEntries) {
    this(maxEntries, Ticker.systemTicker());
  }

  HotAnswers(long maxEntries, Ticker ticker) {
    this.ticker = ticker;
    this.answers = Caffeine.newBuilder()
        .maximumSize(maxEntries)
        .ticker(ticker)
        .executor(Runnable::run) // no maintenance on the common pool
        // An answer that leaves (expired, evicted, replaced) hands its reader back: it closes
        // once the responses still reading it are done, so its blob's lease ends.
        .removalListener((Key k, Answer a, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
          if (a != null) {
            a.gone = true;
            a.fetched.release();
          }
        })
        .expireAfter(new Expiry<Key, Answer>() {
          @Override
          public long expireAfterCreate(Key key, Answer value, long now) {
            return (key.at().isPresent() ? PINNED_IDLE : LIVE).toNanos();
          }

          @Override
          public long expireAfterUpdate(Key key, Answer value, long now, long current) {
            return expireAfterCreate(key, value, now);
          }

          @Override
          public long expireAfterRead(Key key, Answer value, long now, long current) {
            return key.at().isPresent() ? PINNED_IDLE.toNanos() : current;
          }
        })
        .build();
  }

  /** A kept answer, or null. Never blocks: the event loop calls it. */
  Answer get(FetchRequest request) {
    Key key = Key.of(request);
    long now = ticker.read();
    Slot slot = fronts.get().slots.get(key);
    if (slot != null && !slot.answer.gone && !slot.answer.expired(now)
        && now - slot.checkedAt < FRONT_RECHECK.toNanos()) {
      return slot.answer;
    }
    return cached(key, slot, now);
  }

  /** The cache's answer, remembered in this thread's front ({@code slot}: its entry there, or null). */
  private Answer cached(Key key, Slot slot, long now) {
    Answer a = answers.getIfPresent(key);
    java.util.HashMap<Key, Slot> slots = fronts.get().slots;
    if (a == null) {
      if (slot != null) {
        slots.remove(key);
      }
      return null;
    }
    if (slot == null) {
      if (slots.size() >= FRONT_MAX) {
        slots.clear(); // simpler than least-recently-used, and as rare as a thread's working set is large
      }
      slot = new Slot();
      slots.put(key, slot);
    }
    slot.answer = a;
    slot.checkedAt = now;
    return a;
  }

  /**
   * A kept answer, or null; when it is a live one due to be looked up again and nobody is doing it
   * yet, runs {@code refresh} first (once per kept answer), which must not block: it starts the
   * lookup elsewhere and {@link #offer}s the result. Never blocks.
   */
  Answer get(FetchRequest request, Runnable refresh) {
    Answer a = get(request);
    if (a == null) {
      return null;
    }
    boolean due = a.refreshAt != Long.MAX_VALUE && ticker.read() - a.refreshAt >= 0;
    if (due && a.refreshing.compareAndSet(false, true)) {
      refresh.run();
    }
    return a;
  }

  /**
   * Keeps {@code fetched} for later requests when it may be kept, returning the kept form (whose
   * reader is open) or {@code fetched} itself. May block (opens a reader): off the event loop.
   */
  Fetched offer(FetchRequest request, Fetched fetched) throws java.io.IOException {
    if (fetched.outcome() != Fetched.Outcome.HIT || fetched.digest().isEmpty() || !fetched.provenance().immutable()) {
      return fetched;
    }
    Optional<Fetched> kept = fetched.withReaderKept();
    if (kept.isEmpty()) {
      return fetched;
    }
    long now = ticker.read(); // before the cache reads it for the entry: expiresAt is never later than the cache's
    boolean pinned = request.at().isPresent();
    answers.put(Key.of(request), new Answer(kept.get(), pinned ? Long.MAX_VALUE : now + LIVE_REFRESH.toNanos(),
        pinned ? Long.MAX_VALUE : now + LIVE.toNanos()));
    return kept.get();
  }

  long size() {
    return answers.estimatedSize();
  }

  /** Removes what has expired now (the cache does it as it is used; tests ask for it). */
  void cleanUp() {
    answers.cleanUp();
  }
}
