package dev.reprox.storage.shared;

import dev.reprox.storage.Digest;
import dev.reprox.storage.StorageException;
import dev.reprox.storage.StorageUnavailableException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * Plain JDBC with the pool's connections: every call is one statement in autocommit, or one
 * transaction; an {@link SQLException} becomes a {@link StorageException} naming the operation (the
 * proxy answers 503 for a database it cannot reach, as for a disk it cannot read).
 */
final class Db {
  private static final BigInteger NANOS = BigInteger.valueOf(1_000_000_000L);

  /** Work on one connection. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException, StorageException;
  }

  /** Binds a statement's parameters. */
  @FunctionalInterface
  interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  /** Reads one row. */
  @FunctionalInterface
  interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** Rows a cursor fetches per round trip. */
  private static final int PAGE = 1000;

  /** Sees one row of a cursor; may do I/O of its own (including calls back into the store). */
  @FunctionalInterface
  interface Each {
    void accept(ResultSet rs) throws SQLException, java.io.IOException;
  }

  /** How many stale connections a call skips when the pool's size is not known. */
  static final int STALE_CONNECTIONS_UNKNOWN_POOL = 16;

  private final DataSource pool;
  /** The pool's size: it can hold no more connections that idled through a restart. */
  private final int maxStale;

  Db(DataSource pool) {
    this.pool = pool;
    this.maxStale = pool instanceof com.zaxxer.hikari.HikariDataSource h ? h.getMaximumPoolSize()
        : STALE_CONNECTIONS_UNKNOWN_POOL;
  }

  <T> T call(String op, Work<T> work) throws StorageException {
    SQLException stale = null;
    for (int tries = 0; ; tries++) {
      try {
        return attempt(work);
      } catch (SQLException e) {
        if (stale != null) {
          e.addSuppressed(stale);
        }
        // A pooled connection that idled through a PostgreSQL restart carries the server's
        // "terminating connection" notice and fails its first statement without running it; the
        // pool drops it. Every idle connection of the pool may be such a one, so the work is tried
        // again on the next until a live one answers (no more often than the pool has connections).
        if (!terminatedBeforeUse(e) || tries >= maxStale) {
          throw failure(op, e);
        }
        stale = e;
      }
    }
  }

  private <T> T attempt(Work<T> work) throws SQLException, StorageException {
    try (Connection c = pool.getConnection()) {
      return work.run(c);
    }
  }

  /**
   * A database that cannot be reached (refused, timed out, restarting, the session ended) is {@link
   * StorageUnavailableException}: the proxy answers 503 naming PostgreSQL, and the same call works
   * once it is back. Anything else (a constraint, a bad statement) is a plain storage failure.
   */
  static StorageException failure(String op, SQLException e) {
    if (unreachable(e)) {
      return new StorageUnavailableException(op + ": database (PostgreSQL) unavailable: " + describe(e), e);
    }
    return new StorageException(op + ": database: " + e.getMessage(), e);
  }

  private static boolean unreachable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
          || t instanceof java.net.ConnectException || t instanceof java.io.EOFException) {
        return true;
      }
      if (t instanceof SQLException s && s.getSQLState() != null) {
        String state = s.getSQLState();
        // 08: connection exception; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now.
        if (state.startsWith("08") || state.startsWith("57P0")) {
          return true;
        }
      }
    }
    return false;
  }

  /** The pool's message and, when it differs, the driver's reason beneath it (connection refused...). */
  private static String describe(SQLException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e || root.getMessage() == null ? e.getMessage() : e.getMessage() + " (" + root.getMessage() + ")";
  }

  /** admin_shutdown / crash_shutdown: the server ended the session, so the statement never ran. */
  private static boolean terminatedBeforeUse(SQLException e) {
    return "57P01".equals(e.getSQLState()) || "57P02".equals(e.getSQLState());
  }

  /** {@code work} in one READ COMMITTED transaction, rolled back when it throws. */
  <T> T transaction(String op, Work<T> work) throws StorageException {
    return call(op, c -> {
      c.setAutoCommit(false);
      try {
        T out = work.run(c);
        c.commit();
        return out;
      } catch (SQLException | StorageException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    });
  }

  int update(String op, String sql, Binder binder) throws StorageException {
    return call(op, c -> update(c, sql, binder));
  }

  static int update(Connection c, String sql, Binder binder) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      return ps.executeUpdate();
    }
  }

  <T> T one(String op, String sql, Binder binder, Row<T> row) throws StorageException {
    return call(op, c -> one(c, sql, binder, row));
  }

  /** The first row's value, or null. */
  static <T> T one(Connection c, String sql, Binder binder, Row<T> row) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? row.read(rs) : null;
      }
    }
  }

  <T> java.util.List<T> list(String op, String sql, Binder binder, Row<T> row) throws StorageException {
    return call(op, c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        binder.bind(ps);
        try (ResultSet rs = ps.executeQuery()) {
          java.util.List<T> out = new java.util.ArrayList<>();
          while (rs.next()) {
            out.add(row.read(rs));
          }
          return out;
        }
      }
    });
  }

  /**
   * Shows every row of {@code sql} to {@code each} through a cursor (autocommit off, fetch size set),
   * so a table is never loaded whole. The visitor runs on its own pool connection when it calls
   * back into the store, so it may delete what it was shown (PostgreSQL's cursor keeps its snapshot).
   */
  void forEach(String op, String sql, Binder binder, Each each) throws java.io.IOException {
    try {
      transaction(op, c -> {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          ps.setFetchSize(PAGE);
          binder.bind(ps);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              try {
                each.accept(rs);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
          }
        }
        return null;
      });
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  static BigDecimal nanos(Instant t) {
    return new BigDecimal(BigInteger.valueOf(t.getEpochSecond()).multiply(NANOS).add(BigInteger.valueOf(t.getNano())));
  }

  static Instant instant(BigDecimal nanos) {
    BigInteger[] qr = nanos.toBigIntegerExact().divideAndRemainder(NANOS);
    long seconds = qr[0].longValueExact();
    long rest = qr[1].longValueExact();
    if (rest < 0) {
      seconds -= 1;
      rest += 1_000_000_000L;
    }
    return Instant.ofEpochSecond(seconds, rest);
  }

  static Digest digest(byte[] raw) {
    return Digest.of(raw);
  }
}
