package dev.reprox.server.upstream;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The caller's body subscriber, unchanged in what it sees, plus one duty: tell the layer when the
 * body is over — complete, failed or cancelled by the caller — so the host's permit is held for
 * the whole transfer and not a moment longer; and count the bytes as they arrive, for the
 * host's {@code reprox.upstream.bytes}. The caller keeps its own demand (a fill asks for a bounded
 * window of pieces ahead of its store writes).
 */
final class ReleasingSubscriber<T> implements HttpResponse.BodySubscriber<T> {
  /** How the body ended. */
  enum End { COMPLETE, FAILED, TOO_SLOW, CANCELLED }

  private final HttpResponse.BodySubscriber<T> delegate;
  private final Consumer<End> onEnd;
  private final LongConsumer onBytes;

  ReleasingSubscriber(HttpResponse.BodySubscriber<T> delegate, Consumer<End> onEnd, LongConsumer onBytes) {
    this.delegate = delegate;
    this.onEnd = onEnd;
    this.onBytes = onBytes;
  }

  @Override
  public CompletionStage<T> getBody() {
    return delegate.getBody();
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    delegate.onSubscribe(new Flow.Subscription() {
      @Override
      public void request(long n) {
        subscription.request(n);
      }

      @Override
      public void cancel() {
        try {
          subscription.cancel();
        } finally {
          onEnd.accept(End.CANCELLED);
        }
      }
    });
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    // Measured before handing over: the delegate may consume the buffers' remaining bytes.
    onBytes.accept(remaining(item));
    delegate.onNext(item);
  }

  @Override
  public void onError(Throwable throwable) {
    // Account first: completing the delegate can complete the caller's future synchronously,
    // and whoever releases the lease first decides how the body ended.
    try {
      onEnd.accept(throwable instanceof UpstreamTooSlowException ? End.TOO_SLOW : End.FAILED);
    } finally {
      delegate.onError(throwable);
    }
  }

  @Override
  public void onComplete() {
    try {
      onEnd.accept(End.COMPLETE);
    } finally {
      delegate.onComplete();
    }
  }

  /** The bytes {@code item} holds; read before it is handed on. */
  static long remaining(List<ByteBuffer> item) {
    long n = 0;
    for (ByteBuffer b : item) {
      n += b.remaining();
    }
    return n;
  }
}
