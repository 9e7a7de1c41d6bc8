package dev.reprox.server.fetch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects a small upstream body (a root index) whole, refusing more than {@code limit} bytes:
 * a root must be complete and verified before any byte of it reaches a client, so it is buffered;
 * packages never come this way.
 */
public final class BoundedBytes implements HttpResponse.BodySubscriber<byte[]> {
  public static final long ROOT_LIMIT = 64L * 1024 * 1024;

  private final long limit;
  private final String what;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> result = new CompletableFuture<>();
  private Flow.Subscription subscription;

  public BoundedBytes(long limit, String what) {
    this.limit = limit;
    this.what = what;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    for (ByteBuffer b : items) {
      if (out.size() + (long) b.remaining() > limit) {
        subscription.cancel();
        result.completeExceptionally(new IOException("read " + what + ": larger than " + limit + " bytes"));
        return;
      }
      byte[] chunk = new byte[b.remaining()];
      b.get(chunk);
      out.write(chunk, 0, chunk.length);
    }
  }

  @Override
  public void onError(Throwable t) {
    result.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    result.complete(out.toByteArray());
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return result;
  }
}
