package dev.reprox.storage;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * Who fills a blob from upstream when several processes share one store: a {@link Storage} that
 * is shared across replicas implements this too, so that one replica fetches and the others wait
 * for the committed blob. A lease expires unless renewed, so a replica that dies mid-fill hands
 * the fill over to another once its lease runs out; nothing partial is ever visible, because a
 * blob becomes visible only on commit.
 */
public interface FillLeases {
  /** How long a fill's lease should last unless renewed; the operator's {@code storage.fill-lease}. */
  default Duration leaseTtl() {
    return Duration.ofSeconds(30);
  }

  /**
   * Takes the lease on {@code key} for {@code ttl} when nobody holds it or its holder's lease has
   * expired; empty when another holder's lease is still running.
   */
  Optional<Lease> tryAcquire(String key, Duration ttl) throws IOException;

  /** A held lease. */
  interface Lease extends AutoCloseable {
    /** Extends the lease by its ttl from now; false when it was lost (expired and taken). */
    boolean renew() throws IOException;

    /** Gives the lease up; idempotent. */
    @Override
    void close();
  }
}
