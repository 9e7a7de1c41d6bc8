package dev.reprox.server.fetch;

import static dev.reprox.server.LogSafe.escape;

import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.DigestMismatchException;
import dev.reprox.storage.SizeMismatchException;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Ref;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream body streaming into a {@link BlobWriter}. It is the body subscriber of the
 * upstream response and asks for at most {@link #WINDOW} pieces beyond those written, so the
 * upstream is held back at store speed and no body is ever whole in memory. Clients do not drive
 * it: each reads its own tail, and the fill outlives them under its own idle timeout. A body that
 * ends short (or long) of the upstream's Content-Length is cancelled: tails fail, nothing stored.
 *
 * <p>A body with an expected SHA-256 and size that is cut (reset, short, broken mid-stream; not
 * too slow) is asked for again through the same {@link Resumer}, at most {@link #MAX_RESUMPTIONS}
 * times per fill, and the writer goes on from the byte where it stopped: the new response's first
 * bytes are skipped (snapshot.debian.org ignores Range). The writer hashes the whole stream, so
 * the commit's digest check decides whether the joined body is the right one; tails just wait.
 *
 * <p>Over 250 lines: the body subscriber, its write queue, resumption and the idle timeout
 * touch the same state under one ordering rule (the write queue); apart they would need locks.
 */
final class Fill implements HttpResponse.BodySubscriber<Void>, Fetched {
  private static final Logger log = LoggerFactory.getLogger(Fill.class);
  /**
   * Upstream pieces asked for ahead of the store (the JDK client's are 16 KB: 256 KB in memory at
   * most per fill). Asking one at a time made the client stop reading the socket after every
   * piece until the store write came back: 577 round trips between threads for a 9 MB listing
   * (issue 14). With a window it reads on while the store writes, and a drain takes all waiting.
   */
  static final int WINDOW = 16;
  @SuppressWarnings("unchecked")
  private static final List<ByteBuffer>[] EMPTY = new List[0];
  /** Resumptions of a cut body per fill: enough for a truncating server, not a retry storm. */
  static final int MAX_RESUMPTIONS = 2;

  /** Sends the same request again; the handler turns the new head into a body subscriber. */
  @FunctionalInterface
  interface Resumer {
    /** The future fails when no response head came (the polite layer gave up). */
    CompletableFuture<?> resend(Function<HttpResponse.ResponseInfo, HttpResponse.BodySubscriber<Void>> handler);
  }

  private final FetchRequest request;
  private final BlobWriter writer;
  private final long contentLength;
  private final Storage storage;
  private final Executor storageExecutor;
  private final Clock clock;
  private final CompletableFuture<Void> settled = new CompletableFuture<>();
  // Completes when the commit's size and digest checks passed, before the blob is durable: tails
  // release the last byte then (issue 14). Fails with the fill; never completes for a refused body.
  private final CompletableFuture<Void> verified = new CompletableFuture<>();
  private final ScheduledFuture<?> idleCheck;
  // Serialises writes, commit and cancel on the storage executor: one producer per writer.
  private CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
  // The part whose bytes are written; an older part's late signals are ignored.
  private volatile Part current = new Part(0);
  private final Part first = current;
  private volatile Resumer resumer;
  private Runnable onResumed = () -> { };
  // Bytes handed to the writer so far, and resumptions used; touched on the write queue only.
  private long written;
  private int resumptions;
  private volatile long lastProgressMillis;
  private volatile BlobInfo committed;
  /** The commit's refusal of the body, set before {@link #settled} completes. */
  private volatile IOException refused;
  // A deferred fill whose body is whole and whose expectation is still to come (issue 14).
  private volatile boolean awaitingExpectation;
  private volatile IntegrityListener integrity = IntegrityListener.NONE;

  Fill(FetchRequest request, BlobWriter writer, long contentLength, Storage storage,
      Executor storageExecutor, Clock clock, ScheduledExecutorService timer, Duration idleTimeout) {
    this.request = request;
    this.writer = writer;
    this.contentLength = contentLength;
    this.storage = storage;
    this.storageExecutor = storageExecutor;
    this.clock = clock;
    this.lastProgressMillis = clock.millis();
    long period = Math.max(100, idleTimeout.toMillis() / 4);
    this.idleCheck = timer.scheduleWithFixedDelay(() -> {
      if (!awaitingExpectation && clock.millis() - lastProgressMillis > idleTimeout.toMillis()) {
        abandon("upstream idle for more than " + idleTimeout.toSeconds() + " s");
      }
    }, period, period, TimeUnit.MILLISECONDS);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    first.onSubscribe(s);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    first.onNext(items);
  }

  @Override
  public void onError(Throwable t) {
    first.onError(t);
  }

  @Override
  public void onComplete() {
    first.onComplete();
  }

  @Override
  public CompletionStage<Void> getBody() {
    return settled;
  }

  /**
   * Abandons the fill from any thread. It goes through the same queue as the writes, so the
   * writer only ever sees one thread at a time.
   */
  void abandon(String reason) {
    enqueue(() -> fail(reason));
  }

  /** Tails fail, the upstream is cut, nothing is stored. Idempotent; on the write queue only. */
  private void fail(String reason) {
    if (settled.isDone()) {
      return;
    }
    log.warn("fill {}: {}; nothing stored", escape(request), escape(reason));
    idleCheck.cancel(false);
    Flow.Subscription s = current.subscription;
    if (s != null) {
      s.cancel();
    }
    // Settle before the tails fail: single flight lets go of the path first, so a client that
    // retries as soon as it sees the failure starts a new fill instead of joining this dead one.
    settled.complete(null);
    writer.cancel();
    verified.completeExceptionally(new IOException("fill failed: " + reason));
  }

  /** Lets a cut body with an expected digest be asked for again; {@code onResumed} counts it. */
  void resumeWith(Resumer value, Runnable resumedCounter) {
    this.onResumed = resumedCounter;
    this.resumer = value;
  }

  /** Asks again for a cut body if it may be; false when the fill must fail. On the write queue. */
  private boolean resume(String why) {
    FetchRequest.Expected expected = request.expected();
    Resumer r = resumer;
    if (r == null || expected == null || expected.sha256() == null || expected.size() < 0
        || written >= expected.size() || resumptions >= MAX_RESUMPTIONS) {
      return false;
    }
    resumptions++;
    long offset = written;
    Part part = new Part(offset);
    current = part;
    lastProgressMillis = clock.millis(); // the idle timeout covers the new request too
    log.warn("fill {}: {} after {} bytes; asking again, resumption {} of {}", escape(request), escape(why), offset,
        resumptions, MAX_RESUMPTIONS);
    onResumed.run();
    try {
      r.resend(part::onHeaders).whenComplete((v, e) -> {
        if (e != null && !part.headers) {
          abandon("resumption at byte " + offset + " failed: " + e);
        }
      });
    } catch (RuntimeException e) {
      fail("resumption at byte " + offset + " failed: " + e);
    }
    return true;
  }

  private static boolean resumable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof dev.reprox.server.upstream.UpstreamTooSlowException) {
        return false; // a trickling host is cut on purpose; asking it again would trickle again
      }
    }
    return t instanceof IOException || t.getCause() instanceof IOException;
  }

  /**
   * The body of one response: the first, or a resumption that skips the {@code skip} bytes
   * already written. Its signals go through the write queue and count only while it is current.
   */
  private final class Part implements HttpResponse.BodySubscriber<Void> {
    private final long skip;
    // Pieces the client delivered and no drain has taken yet; guarded by this part.
    private final ArrayDeque<List<ByteBuffer>> arrived = new ArrayDeque<>();
    private boolean drainQueued;
    private long skipped;
    private volatile Flow.Subscription subscription;
    private volatile boolean headers;

    Part(long skip) {
      this.skip = skip;
    }

    /** The head of a resumption: only a 200 of the right length goes on (Range is not asked for). */
    HttpResponse.BodySubscriber<Void> onHeaders(HttpResponse.ResponseInfo info) {
      headers = true;
      int status = info.statusCode();
      long length = info.headers().firstValueAsLong("content-length").orElse(-1L);
      long size = request.expected().size();
      boolean fromStart = status == 200 && (length < 0 || length == size);
      if (!fromStart) {
        abandon("resumption at byte " + skip + " answered " + status + " with Content-Length " + length
            + ", the signed index says " + size);
        return HttpResponse.BodySubscribers.discarding();
      }
      return this;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (current != this || settled.isDone()) {
        s.cancel();
        return;
      }
      s.request(WINDOW);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      lastProgressMillis = clock.millis();
      boolean schedule;
      synchronized (this) {
        arrived.add(items);
        schedule = !drainQueued;
        drainQueued = true;
      }
      if (schedule) {
        enqueue(this::drain);
      }
    }

    /**
     * Writes every piece that arrived since the last drain, in one task: while the store writes,
     * the client keeps reading the socket (up to {@link #WINDOW} pieces), so the next drain finds
     * several pieces and the relay pays one hop per batch, not per 16 KB piece. On the write queue.
     */
    private void drain() throws IOException {
      List<ByteBuffer>[] batch;
      synchronized (this) {
        drainQueued = false;
        batch = arrived.toArray(EMPTY);
        arrived.clear();
      }
      if (current != this) {
        return;
      }
      for (List<ByteBuffer> items : batch) {
        for (ByteBuffer b : items) {
          if (skipped < skip) {
            int drop = (int) Math.min(b.remaining(), skip - skipped);
            b.position(b.position() + drop);
            skipped += drop;
          }
          if (b.hasRemaining()) {
            written += b.remaining();
            writer.write(b);
          }
        }
      }
      subscription.request(batch.length); // as many as were taken: at most WINDOW held at any time
    }

    @Override
    public void onError(Throwable t) {
      enqueue(() -> {
        if (current == this && !(resumable(t) && resume("upstream body failed: " + t))) {
          fail("upstream body failed: " + t);
        }
      });
    }

    @Override
    public void onComplete() {
      enqueue(() -> {
        if (current != this) {
          return;
        }
        FetchRequest.Expected expected = request.expected();
        if (expected != null && written < expected.size() && resume("upstream body ended")) {
          return;
        }
        commit();
      });
    }

    @Override
    public CompletionStage<Void> getBody() {
      return settled;
    }
  }

  /** Told when the body does not match what a verified index promised. */
  void integrity(IntegrityListener listener) {
    this.integrity = listener;
  }

  private void commit() throws IOException {
    BlobInfo info;
    FetchRequest.Expected expected = request.expected();
    if (expected != null && expected.later() != null) {
      expected = known(expected.later());
      if (expected == null) {
        return; // not known yet (committed from the queue once it is), or the fill failed
      }
    }
    try {
      // The checks pass before the store makes the blob durable (a large one's flush, the synced
      // entry write: 0.2-0.4 s for a 9 MB listing under load); tails have the last byte from
      // then on. A crash or failure after it stores nothing (docs/decisions.md).
      BlobWriter.Verified passed = (digest, size) -> verified.complete(null);
      info = expected == null ? writer.commit(null, contentLength, passed, i -> { })
          : writer.commit(expected.sha256(), expected.size(), passed, i -> { });
    } catch (DigestMismatchException | SizeMismatchException | FormatCheckedWriter.ControlMismatchException e) {
      refused = e;
      if (e instanceof DigestMismatchException && expected.alias() != null) {
        // The body passed its signed listing's alias check and only the caller's SHA-256 (a
        // lockfile's) disagrees: the upstream was right, so no integrity failure is counted.
        fail("the body matches its listing's " + expected.alias() + " but not the SHA-256 asked for: "
            + e.getMessage());
        return;
      }
      integrity.failed(request, e instanceof SizeMismatchException ? "size" : "digest");
      fail("integrity: " + e.getMessage());
      return;
    } catch (IOException e) {
      fail(e.getMessage());
      return;
    }
    // Tails see the commit at once and a client may ask again (HEAD) before the fill settles:
    // from here on this body answers with its stored size and digest.
    committed = info;
    // The ref goes in before the fill settles, so single flight hands over to the store cleanly.
    // Verified bodies are found by digest; a ref would make a pinned path look like a live one.
    if (request.expected() == null && request.base() == null) {
      storage.refs().put(new Ref(request.repository().name(), request.path(), info.digest(), clock.instant()));
    }
    idleCheck.cancel(false);
    log.info("fill {}: stored {} bytes as {}", escape(request), info.size(), info.digest());
    settled.complete(null);
  }

  /**
   * The expectation of a deferred fill once its listing named it; null when it is not known yet
   * (then the commit is queued again when it is: the body is whole, its last byte held, and the
   * idle timeout no longer applies, since the upstream is done) or never will be (then the fill
   * failed: nothing stored, the client is cut). On the write queue.
   */
  private FetchRequest.Expected known(FetchRequest.Later later) {
    CompletableFuture<FetchRequest.Expected> future = later.expected();
    if (!future.isDone()) {
      awaitingExpectation = true;
      future.whenComplete((e, t) -> enqueue(this::commit));
      return null;
    }
    FetchRequest.Expected e;
    try {
      e = future.join();
    } catch (RuntimeException t) {
      Throwable cause = t.getCause() != null ? t.getCause() : t;
      fail("no verified listing of generation " + later.generation() + " names it: " + cause.getMessage());
      return null;
    }
    if (e.sha256() == null) {
      // A listing that names it by another hash only (dnf sha1/sha512): that hash was not
      // computed while the body streamed, so this body cannot be verified.
      fail("its listing names it by " + e.alias() + " only; a deferred fill checks a SHA-256");
      return null;
    }
    return e;
  }

  private interface Step {
    void run() throws IOException;
  }

  private synchronized void enqueue(Step step) {
    chain = chain.thenRunAsync(() -> {
      if (settled.isDone()) {
        return;
      }
      try {
        step.run();
      } catch (IOException | RuntimeException e) {
        fail("store write failed: " + e);
      }
    }, storageExecutor).exceptionally(e -> {
      // The executor refused the step (overload or shutdown): the fill cannot go on.
      fail("storage executor refused the write: " + e);
      return null;
    });
  }

  @Override
  public Outcome outcome() {
    return Outcome.MISS;
  }

  @Override
  public long length() {
    BlobInfo info = committed;
    if (info != null) {
      return info.size(); // also when the upstream sent no Content-Length
    }
    FetchRequest.Expected expected = request.expected();
    return expected != null && expected.size() >= 0 ? expected.size() : contentLength;
  }

  @Override
  public Optional<Digest> digest() {
    BlobInfo info = committed;
    return info == null ? Optional.empty() : Optional.of(info.digest());
  }

  @Override
  public Content open() throws IOException {
    BlobInfo info = committed;
    return info != null ? new BlobContent(storage.blobs().open(info.digest()))
        : new TailContent(writer.tail(), length(), verified);
  }

  @Override
  public CompletableFuture<Void> settled() {
    return settled;
  }

  /** Completes once the body passed its checks, before the store made it durable (FillReleaseTest). */
  CompletableFuture<Void> verified() {
    return verified.copy(); // callers cannot complete the tails' future
  }

  @Override
  public Optional<IOException> refused() {
    return Optional.ofNullable(refused);
  }
}
