package dev.reprox.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.fetch.Content;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BodyWriterTest {
  /** A fill's tail as the writer sees it: bytes up to {@code available}, a future for more. */
  private static final class GrowingContent implements Content {
    final byte[] body;
    int available;
    int reads;
    CompletableFuture<Void> more = new CompletableFuture<>();

    GrowingContent(byte[] body) {
      this.body = body;
    }

    void grow(int to) {
      available = to;
      CompletableFuture<Void> woken = more;
      more = new CompletableFuture<>();
      woken.complete(null);
    }

    @Override
    public int read(long position, ByteBuffer dst) {
      reads++;
      if (position >= available) {
        return available == body.length ? -1 : 0;
      }
      int n = (int) Math.min(dst.remaining(), available - position);
      dst.put(body, (int) position, n);
      return n;
    }

    @Override
    public CompletableFuture<?> whenReadable(long position) {
      return position < available ? CompletableFuture.completedFuture(null) : more;
    }

    @Override
    public void close() {
    }
  }

  private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
  private final ArrayDeque<Runnable> bodyExecutor = new ArrayDeque<>();

  /** Runs the body executor's reads and the loop's tasks until neither has any left. */
  private void settle() {
    do {
      while (!bodyExecutor.isEmpty()) {
        bodyExecutor.poll().run();
      }
      channel.runPendingTasks();
    } while (!bodyExecutor.isEmpty());
  }

  /**
   * Issue 14: a client relayed a fill's tail at its writer's edge sent a second read to the body
   * executor after each batch, which found nothing and came back to the loop to wait: two thread
   * hops per batch for no byte. It now waits on the loop as soon as a read came back short.
   */
  @Test
  void tailAtItsEdge_waitsOnTheLoopWithoutAnEmptyRead_bodyArrivesWhole() {
    byte[] body = new byte[3000];
    new Random(14).nextBytes(body);
    GrowingContent content = new GrowingContent(body);
    content.grow(1000);
    ChannelHandlerContext ctx = channel.pipeline().firstContext();
    AtomicReference<Boolean> ended = new AtomicReference<>();
    BodyWriter writer = new BodyWriter(ctx, content, bodyExecutor::add, new ChunkBuffers(4096, 4), 0, body.length,
        (bytes, complete) -> ended.set(complete));

    writer.start();
    settle();
    assertThat(content.reads).as("one read took the 1000 bytes there were; no read of nothing").isEqualTo(1);
    assertThat(bodyExecutor).isEmpty();

    content.grow(2000);
    settle();
    assertThat(content.reads).isEqualTo(2);
    content.grow(body.length);
    settle();

    assertThat(content.reads).isEqualTo(3);
    assertThat(ended).hasValue(true);
    assertThat(written()).isEqualTo(body);
  }

  private byte[] written() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object m; (m = channel.readOutbound()) != null; ) {
      ByteBuf content = ((HttpContent) m).content();
      byte[] piece = new byte[content.readableBytes()];
      content.readBytes(piece);
      out.writeBytes(piece);
      boolean last = m instanceof LastHttpContent;
      ((HttpContent) m).release();
      if (last) {
        break;
      }
    }
    return out.toByteArray();
  }
}
