package dev.reprox.storage.shared;

import dev.reprox.storage.Pin;
import dev.reprox.storage.Pins;
import dev.reprox.storage.StorageException;
import dev.reprox.storage.internal.PinRanges;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Pin ranges in one table keyed by (repo, root, from). An answer is decided once across every
 * replica: the writer takes a transaction-scoped advisory lock on (repo, root), so the read of the
 * neighbours, the join and the write are one step no other replica interleaves with; the row is
 * written with {@code INSERT ... ON CONFLICT DO NOTHING}, and the answer returned is read back in
 * a separate statement after the commit (a combined insert-or-select statement under READ
 * COMMITTED was measured to miss the winner's row).
 */
final class PgPins implements Pins {
  private static final String COLUMNS = "repo, root, from_ns, to_ns, generation, status, pinned_ns";

  private final Db db;

  PgPins(Db db) {
    this.db = db;
  }

  @Override
  public Optional<Pin> get(String repo, String root, Instant at) throws StorageException {
    return Optional.ofNullable(db.call("pins get", c -> before(c, repo, root, at))).filter(p -> p.covers(at));
  }

  @Override
  public Pin putIfAbsent(Pin wanted, Instant at) throws StorageException {
    if (!wanted.covers(at)) {
      throw new IllegalArgumentException("pin " + wanted + " does not cover " + at);
    }
    db.transaction("pins putIfAbsent", c -> {
      Db.one(c, "SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))", ps -> {
        ps.setString(1, wanted.repo());
        ps.setString(2, wanted.root());
      }, rs -> null);
      Pin before = before(c, wanted.repo(), wanted.root(), at);
      if (before != null && before.covers(at)) {
        return null; // decided already: the read-back below returns it
      }
      Pin after = Db.one(c, "SELECT " + COLUMNS + " FROM pins WHERE repo = ? AND root = ? AND from_ns > ?"
          + " ORDER BY from_ns LIMIT 1", ps -> {
            ps.setString(1, wanted.repo());
            ps.setString(2, wanted.root());
            ps.setBigDecimal(3, Db.nanos(at));
          }, PgPins::pin);
      Pin placed = PinRanges.place(wanted, at, before, after);
      if (before != null && placed.from().equals(before.from())) {
        Db.update(c, "UPDATE pins SET to_ns = ?, pinned_ns = ? WHERE repo = ? AND root = ? AND from_ns = ?", ps -> {
          ps.setBigDecimal(1, Db.nanos(placed.to()));
          ps.setBigDecimal(2, Db.nanos(placed.pinnedAt()));
          ps.setString(3, placed.repo());
          ps.setString(4, placed.root());
          ps.setBigDecimal(5, Db.nanos(placed.from()));
        });
      } else {
        Db.update(c, "INSERT INTO pins (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", ps -> {
          ps.setString(1, placed.repo());
          ps.setString(2, placed.root());
          ps.setBigDecimal(3, Db.nanos(placed.from()));
          ps.setBigDecimal(4, Db.nanos(placed.to()));
          ps.setBytes(5, placed.generation().bytes());
          ps.setString(6, placed.status().name());
          ps.setBigDecimal(7, Db.nanos(placed.pinnedAt()));
        });
      }
      if (after != null && placed.to().equals(after.to())) {
        Db.update(c, "DELETE FROM pins WHERE repo = ? AND root = ? AND from_ns = ?", ps -> {
          ps.setString(1, after.repo());
          ps.setString(2, after.root());
          ps.setBigDecimal(3, Db.nanos(after.from()));
        });
      }
      return null;
    });
    // The winner, whoever it was, read back in its own statement after our transaction ended.
    return get(wanted.repo(), wanted.root(), at).orElseThrow(
        () -> new StorageException("pins putIfAbsent: no pin covers " + at + " after the write"));
  }

  @Override
  public List<Pin> list(String repo) throws StorageException {
    return db.list("pins list", "SELECT " + COLUMNS + " FROM pins WHERE repo = ? ORDER BY root, from_ns",
        ps -> ps.setString(1, repo), PgPins::pin);
  }

  /** What {@link #copy} found. */
  enum Copied { COPIED, PRESENT, CONFLICT }

  /**
   * Stores {@code pin}'s whole range as it is, for {@code reprox migrate}: unlike
   * {@link #putIfAbsent}, which places one T, a migrated range keeps the T values the old store
   * vouched for. Under the same advisory lock as {@code putIfAbsent}; a range overlapping any other
   * row is a conflict (the shared store already answered some of those T) and is left alone.
   */
  Copied copy(Pin pin) throws StorageException {
    return db.transaction("pins copy", c -> {
      Db.one(c, "SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))", ps -> {
        ps.setString(1, pin.repo());
        ps.setString(2, pin.root());
      }, rs -> null);
      List<Pin> overlapping = new java.util.ArrayList<>();
      try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM pins"
          + " WHERE repo = ? AND root = ? AND from_ns <= ? AND to_ns >= ?")) {
        ps.setString(1, pin.repo());
        ps.setString(2, pin.root());
        ps.setBigDecimal(3, Db.nanos(pin.to()));
        ps.setBigDecimal(4, Db.nanos(pin.from()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            overlapping.add(pin(rs));
          }
        }
      }
      if (overlapping.size() == 1 && overlapping.get(0).equals(pin)) {
        return Copied.PRESENT;
      }
      if (!overlapping.isEmpty()) {
        return Copied.CONFLICT;
      }
      Db.update(c, "INSERT INTO pins (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)", ps -> {
        ps.setString(1, pin.repo());
        ps.setString(2, pin.root());
        ps.setBigDecimal(3, Db.nanos(pin.from()));
        ps.setBigDecimal(4, Db.nanos(pin.to()));
        ps.setBytes(5, pin.generation().bytes());
        ps.setString(6, pin.status().name());
        ps.setBigDecimal(7, Db.nanos(pin.pinnedAt()));
      });
      return Copied.COPIED;
    });
  }

  private static Pin before(Connection c, String repo, String root, Instant at) throws SQLException {
    return Db.one(c, "SELECT " + COLUMNS + " FROM pins WHERE repo = ? AND root = ? AND from_ns <= ?"
        + " ORDER BY from_ns DESC LIMIT 1", ps -> {
          ps.setString(1, repo);
          ps.setString(2, root);
          ps.setBigDecimal(3, Db.nanos(at));
        }, PgPins::pin);
  }

  private static Pin pin(ResultSet rs) throws SQLException {
    return new Pin(rs.getString(1), rs.getString(2), Db.instant(rs.getBigDecimal(3)), Db.instant(rs.getBigDecimal(4)),
        Db.digest(rs.getBytes(5)), Pin.Status.valueOf(rs.getString(6)), Db.instant(rs.getBigDecimal(7)));
  }
}
