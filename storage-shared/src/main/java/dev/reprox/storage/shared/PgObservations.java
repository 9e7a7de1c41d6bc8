package dev.reprox.storage.shared;

import dev.reprox.storage.Digest;
import dev.reprox.storage.Generation;
import dev.reprox.storage.Observation;
import dev.reprox.storage.Observations;
import dev.reprox.storage.StorageException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Generations in one table. Recording is one upsert: PostgreSQL locks the row, so concurrent
 * replicas widen the fetch window without losing each other's times, and the first observation's
 * publication time, signer and source stay (as {@code Generations.fold} does for the other stores).
 */
final class PgObservations implements Observations {
  private static final String COLUMNS = "repo, root, digest, published_ns, published_estimated, first_fetched_ns,"
      + " last_fetched_ns, signer, source";

  private final Db db;

  PgObservations(Db db) {
    this.db = db;
  }

  @Override
  public Generation record(Observation o) throws StorageException {
    return db.one("observations record", "INSERT INTO generations (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT (repo, root, digest) DO UPDATE SET"
        + " first_fetched_ns = LEAST(generations.first_fetched_ns, EXCLUDED.first_fetched_ns),"
        + " last_fetched_ns = GREATEST(generations.last_fetched_ns, EXCLUDED.last_fetched_ns)"
        + " RETURNING " + COLUMNS, ps -> {
          ps.setString(1, o.repo());
          ps.setString(2, o.root());
          ps.setBytes(3, o.digest().bytes());
          ps.setBigDecimal(4, Db.nanos(o.publishedAt()));
          ps.setBoolean(5, o.publishedEstimated());
          ps.setBigDecimal(6, Db.nanos(o.fetchedAt()));
          ps.setBigDecimal(7, Db.nanos(o.fetchedAt()));
          ps.setString(8, o.signer());
          ps.setString(9, o.source().name());
        }, PgObservations::generation);
  }

  @Override
  public Optional<Generation> floor(String repo, String root, Instant t) throws StorageException {
    return Optional.ofNullable(db.one("observations floor", "SELECT " + COLUMNS + " FROM generations"
        + " WHERE repo = ? AND root = ? AND published_ns <= ? ORDER BY published_ns DESC, digest DESC LIMIT 1",
        ps -> {
          ps.setString(1, repo);
          ps.setString(2, root);
          ps.setBigDecimal(3, Db.nanos(t));
        }, PgObservations::generation));
  }

  @Override
  public Optional<Generation> ceilingAfter(String repo, String root, Instant t) throws StorageException {
    return Optional.ofNullable(db.one("observations ceilingAfter", "SELECT " + COLUMNS + " FROM generations"
        + " WHERE repo = ? AND root = ? AND published_ns > ? ORDER BY published_ns, digest LIMIT 1", ps -> {
          ps.setString(1, repo);
          ps.setString(2, root);
          ps.setBigDecimal(3, Db.nanos(t));
        }, PgObservations::generation));
  }

  @Override
  public Optional<Generation> byDigest(String repo, String root, Digest digest) throws StorageException {
    return Optional.ofNullable(db.one("observations byDigest", "SELECT " + COLUMNS + " FROM generations"
        + " WHERE repo = ? AND root = ? AND digest = ?", ps -> {
          ps.setString(1, repo);
          ps.setString(2, root);
          ps.setBytes(3, digest.bytes());
        }, PgObservations::generation));
  }

  @Override
  public List<Generation> generations(String repo, String root) throws StorageException {
    return db.list("observations generations", "SELECT " + COLUMNS + " FROM generations"
        + " WHERE repo = ? AND root = ? ORDER BY published_ns, digest", ps -> {
          ps.setString(1, repo);
          ps.setString(2, root);
        }, PgObservations::generation);
  }

  @Override
  public List<String> roots(String repo) throws StorageException {
    return db.list("observations roots", "SELECT DISTINCT root FROM generations WHERE repo = ? ORDER BY root",
        ps -> ps.setString(1, repo), rs -> rs.getString(1));
  }

  @Override
  public List<String> repos() throws StorageException {
    return db.list("observations repos", "SELECT DISTINCT repo FROM generations ORDER BY repo", ps -> { },
        rs -> rs.getString(1));
  }

  /** Observations are folded into the generation's row, so one row is all there is to forget. */
  @Override
  public boolean delete(String repo, String root, Digest digest) throws StorageException {
    return db.update("observations delete", "DELETE FROM generations WHERE repo = ? AND root = ? AND digest = ?",
        ps -> {
          ps.setString(1, repo);
          ps.setString(2, root);
          ps.setBytes(3, digest.bytes());
        }) > 0;
  }

  private static Generation generation(ResultSet rs) throws SQLException {
    return new Generation(rs.getString(1), rs.getString(2), Db.digest(rs.getBytes(3)), Db.instant(rs.getBigDecimal(4)),
        rs.getBoolean(5), Db.instant(rs.getBigDecimal(6)), Db.instant(rs.getBigDecimal(7)), rs.getString(8),
        Observation.Source.valueOf(rs.getString(9)));
  }
}
