package dev.reprox.storage.shared;

import dev.reprox.storage.FillLeases;
import dev.reprox.storage.StorageException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fill leases as rows: taking one is a single upsert that succeeds only when the key is free or
 * its lease has expired (PostgreSQL locks the row, so two replicas cannot both win); renewing and
 * releasing touch the row only while this holder still owns it.
 */
final class PgFillLeases implements FillLeases {
  private static final Logger LOG = LoggerFactory.getLogger(PgFillLeases.class);

  private final Db db;
  private final Clock clock;

  PgFillLeases(Db db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  @Override
  public Optional<Lease> tryAcquire(String key, Duration ttl) throws StorageException {
    String owner = UUID.randomUUID().toString();
    Instant now = clock.instant();
    Boolean won = db.one("lease acquire", "INSERT INTO fill_leases (key, owner, expires_ns) VALUES (?, ?, ?)"
        + " ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner, expires_ns = EXCLUDED.expires_ns"
        + " WHERE fill_leases.expires_ns < ? RETURNING owner", ps -> {
          ps.setString(1, key);
          ps.setString(2, owner);
          ps.setBigDecimal(3, Db.nanos(now.plus(ttl)));
          ps.setBigDecimal(4, Db.nanos(now));
        }, rs -> owner.equals(rs.getString(1)));
    return Boolean.TRUE.equals(won) ? Optional.of(new PgLease(key, owner, ttl)) : Optional.empty();
  }

  private final class PgLease implements Lease {
    private final String key;
    private final String owner;
    private final Duration ttl;
    private volatile boolean closed;

    PgLease(String key, String owner, Duration ttl) {
      this.key = key;
      this.owner = owner;
      this.ttl = ttl;
    }

    @Override
    public boolean renew() throws StorageException {
      return db.update("lease renew", "UPDATE fill_leases SET expires_ns = ? WHERE key = ? AND owner = ?", ps -> {
        ps.setBigDecimal(1, Db.nanos(clock.instant().plus(ttl)));
        ps.setString(2, key);
        ps.setString(3, owner);
      }) == 1;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        db.update("lease release", "DELETE FROM fill_leases WHERE key = ? AND owner = ?", ps -> {
          ps.setString(1, key);
          ps.setString(2, owner);
        });
      } catch (StorageException e) {
        // It expires on its own; the next filler waits out the ttl at worst.
        LOG.warn("release fill lease {}: {}", key, e.getMessage());
      }
    }
  }
}
