package dev.reprox.server.fetch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link Fetched} whose end is held back until {@code release} completes: the last byte when the
 * length is known, the end of the body when it is not. A listing is served this way until its
 * path index is committed, so a client that has the whole listing (and asks for a package it
 * names at once) always finds that package indexed. {@code release} never fails; the wait is
 * asynchronous ({@link Content#whenReadable}), no thread is parked for it.
 */
public record HeldFetched(Fetched inner, CompletableFuture<?> release) implements WrappedFetched {
  @Override
  public Content open() throws IOException {
    Content content = inner.open();
    return release.isDone() ? content : new Held(content, inner.length(), release);
  }

  /**
   * Settled once the body is and its release came: a caller that waits for a listing to settle
   * (single flight, tests, a package asked right after) must find the listing indexed. A failed
   * body fails at once; the release itself never fails.
   */
  @Override
  public CompletableFuture<Void> settled() {
    return inner.settled().thenCompose(v -> release.handle((r, e) -> (Void) null));
  }

  /** One client's reader: the inner one, minus its end until the release. */
  static final class Held implements Content {
    private final Content inner;
    private final long holdAt; // the last byte's position, or MAX_VALUE: hold the end itself
    private final CompletableFuture<?> release;
    private volatile boolean endHeld;

    Held(Content inner, long length, CompletableFuture<?> release) {
      this.inner = inner;
      this.holdAt = length > 0 ? length - 1 : Long.MAX_VALUE;
      this.release = release;
    }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException {
      if (release.isDone()) {
        return inner.read(position, dst);
      }
      if (holdAt == Long.MAX_VALUE) {
        int n = inner.read(position, dst);
        endHeld = n < 0;
        return Math.max(n, 0);
      }
      if (position >= holdAt) {
        return 0;
      }
      ByteBuffer view = dst.slice();
      view.limit((int) Math.min(dst.remaining(), holdAt - position));
      int n = inner.read(position, view);
      if (n > 0) {
        dst.position(dst.position() + n);
      }
      return n;
    }

    @Override
    public CompletableFuture<?> whenReadable(long position) {
      if (!release.isDone() && (endHeld || (holdAt != Long.MAX_VALUE && position >= holdAt))) {
        // Both: a fill that fails meanwhile still fails this client at once.
        return CompletableFuture.allOf(release, inner.whenReadable(position));
      }
      return inner.whenReadable(position);
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
