package dev.reprox.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The two halves of a tunnel on {@link EmbeddedChannel}s: relaying, backpressure, closing. */
class RelayTest {
  private EmbeddedChannel client;
  private EmbeddedChannel target;

  @BeforeEach
  void setUp() {
    client = new EmbeddedChannel();
    target = new EmbeddedChannel();
    client.pipeline().addLast(new Relay(target));
    target.pipeline().addLast(new Relay(client));
  }

  @AfterEach
  void tearDown() {
    client.close();
    target.close();
    // Closing one side flushes an empty buffer into the other before closing it: drop those markers.
    assertThat(readText(client) + readText(target)).as("bytes no test read").isEmpty();
    assertFalse(client.finishAndReleaseAll());
    assertFalse(target.finishAndReleaseAll());
  }

  @Test
  void read_writtenToPeerBothWays() {
    client.writeInbound(text("from client"));
    target.writeInbound(text("from target"));
    assertThat(readText(target)).isEqualTo("from client");
    assertThat(readText(client)).isEqualTo("from target");
  }

  @Test
  void peerUnwritable_readingPausedUntilItDrains() {
    writable(target, false);
    assertThat(client.config().isAutoRead()).as("the client's bytes have nowhere to go").isFalse();
    assertThat(target.config().isAutoRead()).isTrue();
    writable(target, true);
    assertThat(client.config().isAutoRead()).isTrue();

    writable(client, false);
    assertThat(target.config().isAutoRead()).isFalse();
    writable(client, true);
    assertThat(target.config().isAutoRead()).isTrue();
  }

  @Test
  void writeLeavesPeerUnwritable_readingPaused() {
    writable(target, false);
    client.config().setAutoRead(true); // as if a read was already under way
    client.writeInbound(text("more"));
    assertThat(client.config().isAutoRead()).isFalse();
    assertThat(readText(target)).isEqualTo("more");
  }

  @Test
  void oneSideCloses_otherClosedAfterItsBytes() {
    target.writeInbound(text("last words"));
    target.close();
    client.runPendingTasks();
    assertThat(client.isOpen()).isFalse();
    assertThat(readText(client)).isEqualTo("last words");
  }

  @Test
  void idle_closesBothSides() {
    client.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    assertThat(client.isOpen()).isFalse();
    assertThat(target.isOpen()).isFalse();
  }

  @Test
  void peerGone_readReleased() {
    EmbeddedChannel gone = new EmbeddedChannel();
    gone.close();
    EmbeddedChannel orphan = new EmbeddedChannel(new Relay(gone));
    ByteBuf late = text("late");
    orphan.writeInbound(late);
    assertThat(late.refCnt()).isZero();
    assertFalse(orphan.finishAndReleaseAll());
    assertFalse(gone.finishAndReleaseAll());
  }

  /** User-defined writability changes are announced from a task, as a real channel's would be. */
  private static void writable(EmbeddedChannel ch, boolean writable) {
    ch.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
    ch.runPendingTasks();
  }

  private static ByteBuf text(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  private static String readText(EmbeddedChannel ch) {
    StringBuilder sb = new StringBuilder();
    for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
      sb.append(b.toString(StandardCharsets.US_ASCII));
      b.release();
    }
    return sb.toString();
  }
}
