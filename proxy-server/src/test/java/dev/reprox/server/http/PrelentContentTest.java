package dev.reprox.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.fetch.Content;
import dev.reprox.storage.LentBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PrelentContentTest {
  private final AtomicInteger lent = new AtomicInteger();
  private final AtomicInteger released = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();

  /** A body whose bytes are never hot: only lend (which may block) gives them. */
  private Content body(int size) {
    return new Content() {
      @Override
      public int read(long position, ByteBuffer dst) {
        return -1;
      }

      @Override
      public CompletableFuture<?> whenReadable(long position) {
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public LentBytes lend(long position, int max) {
        lent.incrementAndGet();
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(max, size - position));
        return new LentBytes() {
          @Override
          public ByteBuffer buffer() {
            return b;
          }

          @Override
          public void release() {
            released.incrementAndGet();
          }
        };
      }

      @Override
      public void close() {
        closed.incrementAndGet();
      }
    };
  }

  @Test
  void smallBody_lentAhead_takenOnceAsHotFromItsStart() throws IOException {
    Content c = PrelentContent.of(body(1000), 1000);
    assertThat(lent).hasValue(1);

    assertThat(c.lendIfHot(10, 990)).as("a range from elsewhere reads as usual").isNull();
    assertThat(c.lendIfHot(0, 10)).as("not a shorter range than the body").isNull();
    LentBytes first = c.lendIfHot(0, 1000);
    assertThat(first).isNotNull();
    assertThat(first.buffer().remaining()).isEqualTo(1000);
    assertThat(c.lendIfHot(0, 1000)).as("taken once").isNull();
    first.release();
    c.close();

    assertThat(released).hasValue(1);
    assertThat(closed).hasValue(1);
  }

  @Test
  void notTaken_releasedOnClose() {
    Content c = PrelentContent.of(body(1000), 1000);
    c.close();
    assertThat(released).hasValue(1);
    assertThat(closed).hasValue(1);
  }

  @Test
  void largeBody_notLentAhead() {
    Content inner = body(PrelentContent.MAX + 1);
    assertThat(PrelentContent.of(inner, PrelentContent.MAX + 1)).isSameAs(inner);
    assertThat(lent).hasValue(0);
  }

  @Test
  void budget_spentByBodiesHeldAhead_nextReadAtItsTurn_givenBackWhenTakenOrClosed() throws IOException {
    java.util.concurrent.atomic.AtomicLong budget = new java.util.concurrent.atomic.AtomicLong(2500);
    Content first = PrelentContent.of(body(1000), 1000, budget);
    Content second = PrelentContent.of(body(1000), 1000, budget);

    Content third = PrelentContent.of(body(1000), 1000, budget);

    assertThat(lent).as("only two fit").hasValue(2);
    assertThat(third).isNotInstanceOf(PrelentContent.class);
    assertThat(budget).hasValue(500);
    LentBytes taken = first.lendIfHot(0, 1000);
    assertThat(taken).isNotNull();
    assertThat(budget).as("taken by the writer").hasValue(1500);
    second.close();
    first.close();
    assertThat(budget).as("dropped on close, counted once").hasValue(2500);
    assertThat(PrelentContent.of(body(1000), 1000, budget)).isInstanceOf(PrelentContent.class);
  }
}
