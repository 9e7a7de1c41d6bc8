package dev.reprox.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PermitsTest {

  @Test
  void acquire_beyondLimit_waitsInOrder_untilRelease() {
    Permits permits = new Permits(2);
    assertThat(permits.acquire()).isDone();
    assertThat(permits.acquire()).isDone();
    CompletableFuture<Void> third = permits.acquire();
    CompletableFuture<Void> fourth = permits.acquire();
    assertThat(third).isNotDone();
    permits.release();
    assertThat(third).isDone();
    assertThat(fourth).isNotDone();
    assertThat(permits.held()).isEqualTo(2);
  }

  @Test
  void release_skipsCancelledWaiters() {
    Permits permits = new Permits(1);
    permits.acquire();
    CompletableFuture<Void> gaveUp = permits.acquire();
    CompletableFuture<Void> next = permits.acquire();
    gaveUp.cancel(false);
    permits.release();
    assertThat(next).isDone();
    assertThat(permits.held()).isEqualTo(1);
    assertThat(permits.waiting()).isZero();
  }

  @Test
  void lease_releasesOnce() {
    Permits permits = new Permits(1);
    permits.acquire();
    Lease lease = new Lease(permits);
    assertThat(lease.release()).isTrue();
    assertThat(lease.release()).isFalse();
    assertThat(permits.held()).isZero();
  }
}
