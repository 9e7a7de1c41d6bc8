package dev.reprox.server.fetch;

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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream body streaming into a {@link BlobWriter}. It is the body subscriber of the
 * upstream response and asks for the next piece only after the previous one is written, so the
 * upstream is held back at store speed and no body is ever whole in memory. Clients do not drive
 * it: each reads its own tail, and the fill outlives them under its own idle timeout. A body that
 * ends short (or long) of the upstream's Content-Length is cancelled: tails fail, nothing stored.
 */
final class Fill implements HttpResponse.BodySubscriber<Void>, Fetched {
  private static final Logger log = LoggerFactory.getLogger(Fill.class);

  private final FetchRequest request;
  private final BlobWriter writer;
  private final long contentLength;
  private final Storage storage;
  private final Executor storageExecutor;
  private final Clock clock;
  private final CompletableFuture<Void> settled = new CompletableFuture<>();
  private final ScheduledFuture<?> idleCheck;
  // Serialises writes, commit and cancel on the storage executor: one producer per writer.
  private CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
  private volatile Flow.Subscription subscription;
  private volatile long lastProgressMillis;
  private volatile BlobInfo committed;
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
      if (clock.millis() - lastProgressMillis > idleTimeout.toMillis()) {
        abandon("upstream idle for more than " + idleTimeout.toSeconds() + " s");
      }
    }, period, period, TimeUnit.MILLISECONDS);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    lastProgressMillis = clock.millis();
    enqueue(() -> {
      for (ByteBuffer b : items) {
        writer.write(b);
      }
      subscription.request(1);
    });
  }

  @Override
  public void onError(Throwable t) {
    enqueue(() -> fail("upstream body failed: " + t));
  }

  @Override
  public void onComplete() {
    enqueue(this::commit);
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
    log.warn("fill {}: {}; nothing stored", request, reason);
    idleCheck.cancel(false);
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    // Settle before the tails fail: single flight lets go of the path first, so a client that
    // retries as soon as it sees the failure starts a new fill instead of joining this dead one.
    settled.complete(null);
    writer.cancel();
  }

  /** Told when the body does not match what a verified index promised. */
  void integrity(IntegrityListener listener) {
    this.integrity = listener;
  }

  private void commit() throws IOException {
    BlobInfo info;
    FetchRequest.Expected expected = request.expected();
    try {
      info = expected == null ? writer.commit(null, contentLength) : writer.commit(expected.sha256(), expected.size());
    } catch (DigestMismatchException | SizeMismatchException | ControlCheckedWriter.ControlMismatchException e) {
      integrity.failed(request, e instanceof SizeMismatchException ? "size" : "digest");
      fail("integrity: " + e.getMessage());
      return;
    } catch (IOException e) {
      fail(e.getMessage());
      return;
    }
    // The ref goes in before the fill settles, so single flight hands over to the store cleanly.
    // Verified bodies are found by digest; a ref would make a pinned path look like a live one.
    if (request.expected() == null && request.base() == null) {
      storage.refs().put(new Ref(request.repository().name(), request.path(), info.digest(), clock.instant()));
    }
    committed = info;
    idleCheck.cancel(false);
    log.info("fill {}: stored {} bytes as {}", request, info.size(), info.digest());
    settled.complete(null);
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
    return info != null ? new BlobContent(storage.blobs().open(info.digest())) : new TailContent(writer.tail(), length());
  }

  @Override
  public CompletableFuture<Void> settled() {
    return settled;
  }
}
