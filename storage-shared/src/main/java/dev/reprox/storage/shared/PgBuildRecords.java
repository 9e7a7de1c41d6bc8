package dev.reprox.storage.shared;

import dev.reprox.storage.BuildEntry;
import dev.reprox.storage.BuildLabel;
import dev.reprox.storage.BuildRecords;
import dev.reprox.storage.StorageException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Build records in two tables: one head row per label and its entries (deleted with it). A record
 * is one transaction holding the label's row lock, so replicas recording under one label never lose
 * each other's counts; a new label is created under one advisory lock, so the label bound holds
 * across replicas too.
 */
final class PgBuildRecords implements BuildRecords {
  /** Advisory key for "a new label is being created" (bigint space; blob keys are digest prefixes). */
  private static final long NEW_LABEL_LOCK = 0x7265_7072_6f78_4c42L;
  /** The at column's key for a live request (an Instant's text never reads so). */
  private static final String LIVE = "live";
  private static final String HEAD = "label, first_used_ns, last_used_ns, entries, truncated";
  private static final String ENTRY = "label, repo, at_ns, path, root, generation, published_ns, sha256, size, pin,"
      + " is_package, served_ns";
  // As the other stores order keys: each component by length, then by content.
  private static final String ORDER = " ORDER BY length(repo), repo COLLATE \"C\", length(at_key),"
      + " at_key COLLATE \"C\", length(path), path COLLATE \"C\"";

  private final Db db;

  PgBuildRecords(Db db) {
    this.db = db;
  }

  @Override
  public Outcome record(BuildEntry e, int maxLabels) throws StorageException {
    return db.transaction("builds record", c -> {
      BuildLabel head = head(c, e.label(), true);
      if (head == null) {
        Db.one(c, "SELECT pg_advisory_xact_lock(?)", ps -> ps.setLong(1, NEW_LABEL_LOCK), rs -> null);
        head = head(c, e.label(), true);
        if (head == null) {
          long held = Db.one(c, "SELECT count(*) FROM build_labels", ps -> { }, rs -> rs.getLong(1));
          if (held >= maxLabels) {
            return Outcome.LABELS_FULL;
          }
          Db.update(c, "INSERT INTO build_labels (" + HEAD + ") VALUES (?, ?, ?, 0, false)", ps -> {
            ps.setString(1, e.label());
            ps.setBigDecimal(2, Db.nanos(e.servedAt()));
            ps.setBigDecimal(3, Db.nanos(e.servedAt()));
          });
          head = new BuildLabel(e.label(), e.servedAt(), e.servedAt(), 0, false);
        }
      }
      Instant last = e.servedAt().isAfter(head.lastUsed()) ? e.servedAt() : head.lastUsed();
      BuildEntry old = Db.one(c, "SELECT " + ENTRY + " FROM build_entries"
          + " WHERE label = ? AND repo = ? AND at_key = ? AND path = ?", ps -> {
            ps.setString(1, e.label());
            ps.setString(2, e.repo());
            ps.setString(3, atKey(e));
            ps.setString(4, e.path());
          }, PgBuildRecords::entry);
      boolean full = old == null && head.entries() >= MAX_ENTRIES;
      Db.update(c, "UPDATE build_labels SET last_used_ns = ?, entries = entries + ?, truncated = truncated OR ?"
          + " WHERE label = ?", ps -> {
            ps.setBigDecimal(1, Db.nanos(last));
            ps.setLong(2, old == null && !full ? 1 : 0);
            ps.setBoolean(3, full);
            ps.setString(4, e.label());
          });
      if (full) {
        return Outcome.ENTRIES_FULL;
      }
      if (old != null && old.sameAnswer(e)) {
        return Outcome.UNCHANGED;
      }
      Db.update(c, "INSERT INTO build_entries (" + ENTRY + ", at_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (label, repo, at_key, path) DO UPDATE SET at_ns = EXCLUDED.at_ns, root = EXCLUDED.root,"
          + " generation = EXCLUDED.generation, published_ns = EXCLUDED.published_ns, sha256 = EXCLUDED.sha256,"
          + " size = EXCLUDED.size, pin = EXCLUDED.pin, is_package = EXCLUDED.is_package,"
          + " served_ns = EXCLUDED.served_ns", ps -> {
            bindEntry(ps, e.label(), e);
          });
      return Outcome.WRITTEN;
    });
  }

  @Override
  public List<BuildLabel> labels() throws StorageException {
    return db.list("builds labels", "SELECT " + HEAD + " FROM build_labels ORDER BY label COLLATE \"C\"", ps -> { },
        PgBuildRecords::head);
  }

  @Override
  public Optional<BuildLabel> label(String label) throws StorageException {
    return Optional.ofNullable(db.call("builds label", c -> head(c, label, false)));
  }

  @Override
  public List<BuildEntry> entries(String label) throws StorageException {
    return db.list("builds entries", "SELECT " + ENTRY + " FROM build_entries WHERE label = ?" + ORDER,
        ps -> ps.setString(1, label), PgBuildRecords::entry);
  }

  @Override
  public Optional<BuildLabel> delete(String label) throws StorageException {
    return Optional.ofNullable(db.one("builds delete", "DELETE FROM build_labels WHERE label = ? RETURNING " + HEAD,
        ps -> ps.setString(1, label), PgBuildRecords::head));
  }

  @Override
  public int expire(Instant cutoff) throws StorageException {
    return db.update("builds expire", "DELETE FROM build_labels WHERE last_used_ns < ?",
        ps -> ps.setBigDecimal(1, Db.nanos(cutoff)));
  }

  /**
   * Adds a label's head and entries as another store holds them, for {@code reprox migrate}, in one
   * transaction: entries already present stay as they are, and the head ends up counting the
   * entries present, with the wider of the two use windows. Returns the entries that were new.
   */
  int copy(BuildLabel label, List<BuildEntry> entries) throws StorageException {
    return db.transaction("builds copy", c -> {
      Db.update(c, "INSERT INTO build_labels (" + HEAD + ") VALUES (?, ?, ?, 0, ?) ON CONFLICT (label) DO UPDATE SET"
          + " first_used_ns = LEAST(build_labels.first_used_ns, EXCLUDED.first_used_ns),"
          + " last_used_ns = GREATEST(build_labels.last_used_ns, EXCLUDED.last_used_ns),"
          + " truncated = build_labels.truncated OR EXCLUDED.truncated", ps -> {
            ps.setString(1, label.label());
            ps.setBigDecimal(2, Db.nanos(label.firstUsed()));
            ps.setBigDecimal(3, Db.nanos(label.lastUsed()));
            ps.setBoolean(4, label.truncated());
          });
      int inserted = 0;
      try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO build_entries (" + ENTRY + ", at_key)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (label, repo, at_key, path) DO NOTHING")) {
        for (BuildEntry e : entries) {
          bindEntry(ps, label.label(), e);
          inserted += ps.executeUpdate();
        }
      }
      Db.update(c, "UPDATE build_labels SET entries = (SELECT count(*) FROM build_entries WHERE label = ?)"
          + " WHERE label = ?", ps -> {
            ps.setString(1, label.label());
            ps.setString(2, label.label());
          });
      return inserted;
    });
  }

  private static BuildLabel head(Connection c, String label, boolean forUpdate) throws SQLException {
    return Db.one(c, "SELECT " + HEAD + " FROM build_labels WHERE label = ?" + (forUpdate ? " FOR UPDATE" : ""),
        ps -> ps.setString(1, label), PgBuildRecords::head);
  }

  private static BuildLabel head(ResultSet rs) throws SQLException {
    return new BuildLabel(rs.getString(1), Db.instant(rs.getBigDecimal(2)), Db.instant(rs.getBigDecimal(3)),
        rs.getLong(4), rs.getBoolean(5));
  }

  private static BuildEntry entry(ResultSet rs) throws SQLException {
    byte[] generation = rs.getBytes(6);
    return new BuildEntry(rs.getString(1), rs.getString(2), Optional.ofNullable(rs.getBigDecimal(3)).map(Db::instant),
        rs.getString(4), Optional.ofNullable(rs.getString(5)),
        Optional.ofNullable(generation).map(Db::digest), Optional.ofNullable(rs.getBigDecimal(7)).map(Db::instant),
        Db.digest(rs.getBytes(8)), rs.getLong(9), Optional.ofNullable(rs.getString(10)), rs.getBoolean(11),
        Db.instant(rs.getBigDecimal(12)));
  }

  /** The 13 columns of an entry row, in the order both insert statements name them. */
  private static void bindEntry(java.sql.PreparedStatement ps, String label, BuildEntry e)
      throws java.sql.SQLException {
    ps.setString(1, label);
    ps.setString(2, e.repo());
    ps.setBigDecimal(3, e.at().map(Db::nanos).orElse(null));
    ps.setString(4, e.path());
    ps.setString(5, e.root().orElse(null));
    if (e.generation().isPresent()) {
      ps.setBytes(6, e.generation().get().bytes());
    } else {
      ps.setNull(6, Types.BINARY);
    }
    ps.setBigDecimal(7, e.publishedAt().map(Db::nanos).orElse(null));
    ps.setBytes(8, e.sha256().bytes());
    ps.setLong(9, e.size());
    ps.setString(10, e.pin().orElse(null));
    ps.setBoolean(11, e.isPackage());
    ps.setBigDecimal(12, Db.nanos(e.servedAt()));
    ps.setString(13, atKey(e));
  }

  private static String atKey(BuildEntry e) {
    return e.at().map(Instant::toString).orElse(LIVE);
  }
}
