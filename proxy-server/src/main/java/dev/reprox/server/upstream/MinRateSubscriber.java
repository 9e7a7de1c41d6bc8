package dev.reprox.server.upstream;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Cuts a body that trickles: every quarter window it samples a {@link RateWindow}, and when the
 * average over the last window is below the host's minimum it cancels the upstream subscription
 * and fails the caller's subscriber with {@link UpstreamTooSlowException}. The idle timeout
 * further down only catches a body that stops; a body that sends ten bytes a second never stops,
 * and would hold a host permit and a fill for as long as the upstream likes.
 *
 * <p>The timer and the client deliver on different threads; signals to the delegate go through
 * one lock so it never sees two at once, and none after the body has ended.
 */
final class MinRateSubscriber<T> implements HttpResponse.BodySubscriber<T> {
  private final HttpResponse.BodySubscriber<T> delegate;
  private final RateWindow window;
  private final URI uri;
  private final long minBytesPerSecond;
  private final long windowMillis;
  private final Future<?> timer;
  private Flow.Subscription subscription;
  private boolean ended;

  /**
   * @param every schedules its argument every period (here: a quarter window) and returns the
   *     handle that {@link #end} cancels; null when the scheduler refused
   */
  MinRateSubscriber(HttpResponse.BodySubscriber<T> delegate, RateWindow window, URI uri, long minBytesPerSecond,
      long windowMillis, Function<Runnable, Future<?>> every) {
    this.delegate = delegate;
    this.window = window;
    this.uri = uri;
    this.minBytesPerSecond = minBytesPerSecond;
    this.windowMillis = windowMillis;
    this.timer = every.apply(this::check);
  }

  @Override
  public CompletionStage<T> getBody() {
    return delegate.getBody();
  }

  @Override
  public synchronized void onSubscribe(Flow.Subscription s) {
    subscription = s;
    delegate.onSubscribe(s);
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    window.add(ReleasingSubscriber.remaining(item));
    synchronized (this) {
      if (!ended) {
        delegate.onNext(item);
      }
    }
  }

  @Override
  public synchronized void onError(Throwable throwable) {
    if (end()) {
      delegate.onError(throwable);
    }
  }

  @Override
  public synchronized void onComplete() {
    if (end()) {
      delegate.onComplete();
    }
  }

  /** One sample; on the timer thread (tests call it directly). */
  void check() {
    long rate = window.sample();
    if (rate < 0) {
      return;
    }
    Flow.Subscription s;
    synchronized (this) {
      if (!end()) {
        return;
      }
      s = subscription;
      delegate.onError(new UpstreamTooSlowException(uri, "GET " + uri + ": body too slow, " + rate
          + " B/s over the last " + windowMillis / 1000.0 + " s, below the host's minimum of "
          + minBytesPerSecond + " B/s; cut"));
    }
    if (s != null) {
      s.cancel(); // the client's own subscription: it stops reading and closes the connection
    }
  }

  /** True for the one caller that ends the body; stops the timer. Under the lock. */
  private boolean end() {
    if (ended) {
      return false;
    }
    ended = true;
    if (timer != null) {
      timer.cancel(false);
    }
    return true;
  }
}
