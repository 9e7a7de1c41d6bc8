package dev.reprox.storage.internal;

import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.TailReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link TailReader} over a {@link WriteProgress}; the implementations only supply bytes. */
public final class FollowingTailReader implements TailReader {
  private final WriteProgress progress;
  private final TailSource source;
  private final Set<CompletableFuture<Long>> pending = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public FollowingTailReader(WriteProgress progress, TailSource source) {
    this.progress = progress;
    this.source = source;
  }

  @Override
  public int read(long position, ByteBuffer dst) throws IOException {
    if (closed) {
      throw new IllegalStateException("tail read: reader is closed");
    }
    if (position < 0) {
      throw new IllegalArgumentException("tail read: negative position " + position);
    }
    progress.checkNotCancelled();
    BlobInfo committed = progress.committed();
    if (committed != null) {
      return position >= committed.size() || !dst.hasRemaining()
          ? (position >= committed.size() ? -1 : 0)
          : source.readCommitted(committed, position, dst);
    }
    long written = progress.written();
    if (position >= written || !dst.hasRemaining()) {
      // Nothing new yet; a commit may have landed between the two volatile reads.
      return progress.committed() != null ? read(position, dst) : 0;
    }
    int n;
    try {
      n = source.readWritten(position, dst, written);
    } catch (IOException e) {
      // A cancel during the read may have deleted what we were reading: report the cancel.
      progress.checkNotCancelled();
      throw e;
    }
    progress.checkNotCancelled();
    return n;
  }

  @Override
  public CompletableFuture<Long> whenReadable(long position) {
    CompletableFuture<Long> f = progress.whenReadable(position);
    if (!f.isDone()) {
      pending.add(f);
      f.whenComplete((v, e) -> pending.remove(f));
    }
    return f;
  }

  @Override
  public BlobInfo committed() {
    return progress.committed();
  }

  /** Cancels this reader's pending waits; the write itself goes on. */
  @Override
  public void close() {
    closed = true;
    for (CompletableFuture<Long> f : pending) {
      f.cancel(false);
    }
  }
}
