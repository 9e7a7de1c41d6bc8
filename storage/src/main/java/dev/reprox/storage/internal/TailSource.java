package dev.reprox.storage.internal;

import dev.reprox.storage.BlobInfo;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Where a {@link FollowingTailReader} gets its bytes: the writer's view and the committed blob. */
public interface TailSource {
  /** Copies bytes at {@code position} (< {@code written}) of the write in progress into {@code dst}. */
  int readWritten(long position, ByteBuffer dst, long written) throws IOException;

  /** Copies bytes at {@code position} (< size) of the blob the write committed to. */
  int readCommitted(BlobInfo committed, long position, ByteBuffer dst) throws IOException;
}
