package dev.reprox.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * A bounded free list of fixed-size direct buffers for body chunks. Reads run on storage
 * threads, where Netty's adaptive allocator hands out unpooled memory that the JDK zeroes on
 * every chunk (14 % of CPU on 1 MB bodies, 36 % in a 64-client fan-out, docs/performance.md).
 * A chunk goes back to the list when its last reference is released (after the socket write);
 * when the list is full the memory is freed at once rather than left to the garbage collector.
 */
final class ChunkBuffers {
  private final int size;
  private final ArrayBlockingQueue<ByteBuffer> free;

  ChunkBuffers(int size, int maxFree) {
    this.size = size;
    this.free = new ArrayBlockingQueue<>(maxFree);
  }

  /** A buffer of capacity {@code size}, writer index 0; release it as any other ByteBuf. */
  ByteBuf take(ByteBufAllocator alloc) {
    ByteBuffer nio = free.poll();
    if (nio == null) {
      nio = ByteBuffer.allocateDirect(size);
    }
    nio.clear();
    return new Chunk(alloc, nio).clear(); // built around a ByteBuffer, Netty takes it as full

  }

  int size() {
    return size;
  }

  /** How many buffers wait for reuse (for tests). */
  int idle() {
    return free.size();
  }

  private void give(ByteBuffer nio) {
    if (!free.offer(nio)) {
      PlatformDependent.freeDirectBuffer(nio);
    }
  }

  /**
   * Netty frees nothing for a buffer built around a given ByteBuffer; deallocate runs once, when
   * the reference count reaches zero, so the memory is handed back exactly once.
   */
  private final class Chunk extends UnpooledDirectByteBuf {
    private final ByteBuffer nio;

    Chunk(ByteBufAllocator alloc, ByteBuffer nio) {
      super(alloc, nio, nio.capacity());
      this.nio = nio;
    }

    @Override
    protected void deallocate() {
      super.deallocate();
      give(nio);
    }
  }
}
