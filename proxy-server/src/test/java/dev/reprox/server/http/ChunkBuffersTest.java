package dev.reprox.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.IllegalReferenceCountException;
import org.junit.jupiter.api.Test;

class ChunkBuffersTest {
  private final ChunkBuffers chunks = new ChunkBuffers(1024, 2);

  @Test
  void release_returnsMemoryForReuse_sameAddressEmptyBuffer() {
    ByteBuf a = chunks.take(ByteBufAllocator.DEFAULT);
    a.writeBytes(new byte[] {1, 2, 3});
    long address = a.memoryAddress();
    assertThat(a.capacity()).isEqualTo(1024);
    assertThat(a.release()).isTrue();
    assertThat(chunks.idle()).isEqualTo(1);

    ByteBuf b = chunks.take(ByteBufAllocator.DEFAULT);
    assertThat(chunks.idle()).isZero();
    assertThat(b.memoryAddress()).isEqualTo(address);
    assertThat(b.readableBytes()).isZero();
    assertThat(b.nioBuffer(0, 1024).remaining()).isEqualTo(1024);
    b.release();
  }

  @Test
  void releaseTwice_throws_memoryReturnedOnce() {
    ByteBuf a = chunks.take(ByteBufAllocator.DEFAULT);
    a.retain();
    assertThat(a.release()).isFalse();
    assertThat(chunks.idle()).as("still referenced").isZero();
    assertThat(a.release()).isTrue();
    assertThatThrownBy(a::release).isInstanceOf(IllegalReferenceCountException.class);
    assertThat(chunks.idle()).isEqualTo(1);
  }

  @Test
  void listFull_extraBuffersFreed_boundKept() {
    ByteBuf a = chunks.take(ByteBufAllocator.DEFAULT);
    ByteBuf b = chunks.take(ByteBufAllocator.DEFAULT);
    ByteBuf c = chunks.take(ByteBufAllocator.DEFAULT);
    a.release();
    b.release();
    c.release();
    assertThat(chunks.idle()).isEqualTo(2);
  }
}
