package dev.reprox.server.fetch;

import dev.reprox.storage.Digest;
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
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream body relayed to one client and never stored: the body subscriber of the upstream
 * response and the client's single {@link Content} at once. At most {@link #WINDOW} bytes wait
 * here; the next piece is asked for only once the client has read below that, so a slow client
 * holds the upstream back instead of filling memory (and a client slower than the host's
 * {@code min-rate} is cut with it). A failed body fails the reader, so the client's connection is
 * cut, never completed with a wrong body. The reader's {@link #close} (client gone) or the idle
 * timeout (nobody read, or the upstream stopped) cancels the upstream subscription, which lets
 * the host's permit go.
 *
 * <p>The buffers are the JDK client's heap buffers, which it hands over for good; no Netty buffer
 * is held here. Reads are positional for the {@link Content} contract, but only forward: bytes
 * before the position are dropped (a Range request), bytes already read are gone.
 *
 * <p>Over 250 lines: subscriber and reader are one state machine (window, demand, cancel, idle
 * timeout) guarded by one lock; split, each half would need the other's lock.
 */
final class Relayed implements HttpResponse.BodySubscriber<Void>, Fetched, Content {
  private static final Logger log = LoggerFactory.getLogger(Relayed.class);
  /** Bytes waiting for the client at most (plus one upstream piece): small, never the body. */
  static final int WINDOW = 256 * 1024;

  private final FetchRequest request;
  private final long contentLength;
  private final Clock clock;
  private final long idleMillis;
  private final CompletableFuture<Void> settled = new CompletableFuture<>();
  private final ScheduledFuture<?> idleCheck;
  // Guarded by this.
  private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
  private Flow.Subscription subscription;
  private long queued;
  private long consumed; // the body position of the queue's first byte
  private boolean asked; // a request(1) is outstanding
  private boolean complete;
  private Throwable failure;
  private boolean opened;
  private boolean closed;
  private CompletableFuture<Void> waiter;
  private volatile long lastProgressMillis;

  Relayed(FetchRequest request, long contentLength, Clock clock, ScheduledExecutorService timer,
      Duration idleTimeout) {
    this.request = request;
    this.contentLength = contentLength;
    this.clock = clock;
    this.idleMillis = idleTimeout.toMillis();
    this.lastProgressMillis = clock.millis();
    long period = Math.max(100, idleMillis / 4);
    this.idleCheck = timer.scheduleWithFixedDelay(() -> {
      if (clock.millis() - lastProgressMillis > idleMillis) {
        fail(new IOException("relay " + request + ": no progress for more than " + idleTimeout.toSeconds() + " s"));
      }
    }, period, period, TimeUnit.MILLISECONDS);
  }

  // ---- upstream side ----

  @Override
  public void onSubscribe(Flow.Subscription s) {
    boolean cancel;
    synchronized (this) {
      subscription = s;
      cancel = closed || failure != null;
      asked = !cancel;
    }
    if (cancel) {
      s.cancel();
    } else {
      s.request(1);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    lastProgressMillis = clock.millis();
    CompletableFuture<Void> wake;
    boolean more;
    synchronized (this) {
      asked = false;
      if (closed || failure != null) {
        return; // cancelled already; late pieces are dropped
      }
      for (ByteBuffer b : items) {
        if (b.hasRemaining()) {
          queue.add(b);
          queued += b.remaining();
        }
      }
      more = askIfRoom();
      wake = takeWaiter();
    }
    if (more) {
      subscription.request(1);
    }
    if (wake != null) {
      wake.complete(null);
    }
  }

  @Override
  public void onError(Throwable t) {
    fail(t);
  }

  @Override
  public void onComplete() {
    CompletableFuture<Void> wake;
    synchronized (this) {
      if (failure != null) {
        return;
      }
      complete = true;
      wake = takeWaiter();
    }
    idleCheck.cancel(false);
    settled.complete(null);
    if (wake != null) {
      wake.complete(null);
    }
  }

  @Override
  public CompletionStage<Void> getBody() {
    return settled;
  }

  /** The body failed (upstream cut, idle, shutdown): the reader throws, the upstream is cancelled. */
  void fail(Throwable t) {
    Flow.Subscription s;
    CompletableFuture<Void> wake;
    boolean clientGone;
    synchronized (this) {
      if (complete || failure != null) {
        return;
      }
      clientGone = closed;
      failure = t;
      queue.clear();
      queued = 0;
      s = subscription;
      wake = takeWaiter();
    }
    if (!clientGone) {
      log.warn("relay {}: {}; the client is cut", request, t.toString());
    }
    idleCheck.cancel(false);
    if (s != null) {
      s.cancel();
    }
    settled.complete(null);
    if (wake != null) {
      wake.completeExceptionally(t);
    }
  }

  /** Whether to ask the upstream for the next piece now; marks it asked. Holding this. */
  private boolean askIfRoom() {
    if (subscription == null || asked || complete || closed || failure != null || queued >= WINDOW) {
      return false;
    }
    asked = true;
    return true;
  }

  private CompletableFuture<Void> takeWaiter() {
    CompletableFuture<Void> w = waiter;
    waiter = null;
    return w;
  }

  // ---- the client's reader ----

  @Override
  public int read(long position, ByteBuffer dst) throws IOException {
    lastProgressMillis = clock.millis();
    int n = 0;
    boolean more;
    synchronized (this) {
      if (failure != null) {
        throw new IOException("relay " + request + " failed: " + failure, failure);
      }
      if (closed) {
        throw new IOException("relay " + request + ": reader closed");
      }
      if (position < consumed) {
        throw new IOException("relay " + request + ": byte " + position + " was relayed already (now at "
            + consumed + ")");
      }
      // Forward to the position (a Range start), dropping what lies before it.
      while (consumed < position && !queue.isEmpty()) {
        ByteBuffer head = queue.peek();
        int drop = (int) Math.min(head.remaining(), position - consumed);
        head.position(head.position() + drop);
        consume(head, drop);
      }
      if (consumed == position) {
        while (dst.hasRemaining() && !queue.isEmpty()) {
          ByteBuffer head = queue.peek();
          int take = Math.min(head.remaining(), dst.remaining());
          ByteBuffer slice = head.slice();
          slice.limit(take);
          dst.put(slice);
          head.position(head.position() + take);
          consume(head, take);
          n += take;
        }
      }
      more = askIfRoom();
      if (n == 0 && complete && queue.isEmpty()) {
        n = -1;
      }
    }
    if (more) {
      subscription.request(1);
    }
    return n;
  }

  private void consume(ByteBuffer head, int bytes) {
    consumed += bytes;
    queued -= bytes;
    if (!head.hasRemaining()) {
      queue.poll();
    }
  }

  @Override
  public synchronized CompletableFuture<?> whenReadable(long position) {
    if (failure != null) {
      return CompletableFuture.failedFuture(failure);
    }
    if (complete || closed || consumed + queued > position) {
      return CompletableFuture.completedFuture(null);
    }
    if (waiter == null) {
      waiter = new CompletableFuture<>();
    }
    return waiter;
  }

  /** The client is done or gone: the upstream is cancelled if it has not ended. Never blocks. */
  @Override
  public void close() {
    Flow.Subscription s;
    CompletableFuture<Void> wake;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      queue.clear();
      queued = 0;
      s = complete || failure != null ? null : subscription;
      wake = takeWaiter();
    }
    idleCheck.cancel(false);
    if (s != null) {
      s.cancel();
    }
    settled.complete(null);
    if (wake != null) {
      wake.complete(null);
    }
  }

  // ---- the found body ----

  @Override
  public Outcome outcome() {
    return Outcome.MISS;
  }

  @Override
  public long length() {
    return contentLength;
  }

  @Override
  public Optional<Digest> digest() {
    return Optional.empty(); // never stored, so no content address and no ETag
  }

  /** The one reader; a second open fails (no single flight shares a relayed body). */
  @Override
  public synchronized Content open() throws IOException {
    if (opened) {
      throw new IOException("relay " + request + ": a relayed body has one reader");
    }
    opened = true;
    return this;
  }

  /** No reader will come (a HEAD answer): let the upstream go now rather than at the idle timeout. */
  @Override
  public void noReader() {
    close();
  }

  @Override
  public CompletableFuture<Void> settled() {
    return settled;
  }
}
