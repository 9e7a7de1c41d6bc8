package dev.reprox.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

/** The guard really sees a leak: an unreleased buffer in this JVM is reported and recorded. */
class LeakGuardTest {
  @Test
  void unreleasedBuffer_isReportedToTheGuard() {
    assertThat(ResourceLeakDetector.getLevel()).as("parent pom argLine").isEqualTo(ResourceLeakDetector.Level.PARANOID);
    LeakGuard.install();
    LeakGuard.collect(); // start clean
    leak();
    // collect() also drains, so this class's own afterAll does not fail on the planted leak.
    assertThat(LeakGuard.collect()).anySatisfy(r -> assertThat(r).contains("LEAK:"));
  }

  private static void leak() {
    ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(64);
    b.writeLong(42);
    // dropped without release(): what the guard must catch
  }
}
