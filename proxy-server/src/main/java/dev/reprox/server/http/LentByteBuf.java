package dev.reprox.server.http;

import dev.reprox.storage.LentBytes;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;

/**
 * Store memory lent to the socket as a ByteBuf, without a copy. The store gets it back when the
 * buffer's last reference is released — after the transport has sent it, or whenever a handler
 * or test that holds the message lets go — never earlier, which a write's completion alone would
 * not guarantee (an embedded or buffering pipeline completes writes before the bytes are used).
 */
final class LentByteBuf extends UnpooledDirectByteBuf {
  private final LentBytes lent;

  LentByteBuf(ByteBufAllocator alloc, LentBytes lent) {
    super(alloc, lent.buffer(), lent.buffer().remaining()); // readable from 0 to the view's end
    this.lent = lent;
  }

  @Override
  protected void deallocate() {
    super.deallocate(); // frees nothing: the memory was given, not allocated
    lent.release();
  }
}
