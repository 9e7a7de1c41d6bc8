package dev.reprox.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Streams one new blob into the store under a fresh internal id, hashing as it goes. Nothing is
 * visible under a digest until {@link #commit} succeeds; a writer that is cancelled, closed
 * without commit, or lost in a crash leaves nothing behind once the store reopens.
 *
 * <p>Writes are single-threaded (one producer); {@link #tail()} readers may run on other threads.
 */
public interface BlobWriter extends AutoCloseable {
  /** Appends the remaining bytes of {@code src}; they are visible to tails when this returns. */
  void write(ByteBuffer src) throws IOException;

  /** Bytes written so far. */
  long written();

  /**
   * Makes the blob visible. When {@code expected} is non-null and differs from the computed
   * digest, or {@code expectedSize >= 0} differs from {@link #written()}, throws
   * {@link DigestMismatchException} / {@link SizeMismatchException}, makes nothing visible, and
   * cancels the write (tails fail). Content already present commits to the existing entry.
   *
   * @param expected the digest the content must have, or null to accept whatever was written
   * @param expectedSize the size the content must have, or -1
   */
  default BlobInfo commit(Digest expected, long expectedSize) throws IOException {
    return commit(expected, expectedSize, info -> { });
  }

  /**
   * {@link #commit(Digest, long)}, running {@code beforeTails} once the blob is committed and
   * before its tails see the end: what a caller records about the blob (its aliases) is there by
   * the time any reader has the whole body. A failure of {@code beforeTails} is thrown after the
   * tails were released; the blob stays committed.
   */
  BlobInfo commit(Digest expected, long expectedSize, Committed beforeTails) throws IOException;

  /**
   * {@link #commit(Digest, long, Committed)}, telling {@code verified} as soon as the size and
   * digest checks passed, before the blob is made durable (a large blob's chunks flushed, its
   * entry's synced write): what the caller releases then is the right body, though a crash or a
   * failure of the durable part may still leave it unstored (then the write is cancelled and the
   * store keeps nothing of it). Never told when a check fails. It must not block: it runs on the
   * committing thread, under the writer's lock. An exception it throws fails the commit. This
   * default tells it only once the commit is durable.
   */
  default BlobInfo commit(Digest expected, long expectedSize, Verified verified, Committed beforeTails)
      throws IOException {
    return commit(expected, expectedSize, info -> {
      verified.accept(info.digest(), info.size());
      beforeTails.accept(info);
    });
  }

  /** Told that the body passed its checks, before it is durable. */
  @FunctionalInterface
  interface Verified {
    void accept(Digest digest, long size);

    Verified NONE = (digest, size) -> { };
  }

  /** Told of a commit before the tails are. */
  @FunctionalInterface
  interface Committed {
    void accept(BlobInfo info) throws IOException;
  }

  /** Abandons the write; tails fail with {@link WriteCancelledException}. Idempotent. */
  void cancel();

  /**
   * A reader that follows this write: it sees bytes as soon as {@link #write} returns, can wait
   * for more without blocking a thread, ends at the committed size, and fails if the write is
   * cancelled. Several tails may exist at once.
   */
  TailReader tail();

  /** Cancels unless committed. */
  @Override
  void close();
}
