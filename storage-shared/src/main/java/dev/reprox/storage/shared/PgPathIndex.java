package dev.reprox.storage.shared;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import dev.reprox.storage.PathEntry;
import dev.reprox.storage.PathIndex;
import dev.reprox.storage.StorageException;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Predicate;

/**
 * Path listings in two tables: the entries, then the "indexed" marker row written last (in its own
 * statement after the entries' transaction), so a replica that dies midway leaves the listing
 * un-indexed and the next caller repeats the work; repeated entries are ignored.
 */
final class PgPathIndex implements PathIndex {
  private static final int BATCH = 1000;
  private static final String SHA256 = "SHA256";

  private final Db db;

  PgPathIndex(Db db) {
    this.db = db;
  }

  @Override
  public boolean isIndexed(String repo, Digest listing) throws StorageException {
    return db.one("paths isIndexed", "SELECT 1 FROM listings WHERE repo = ? AND listing = ?", ps -> {
      ps.setString(1, repo);
      ps.setBytes(2, listing.bytes());
    }, rs -> Boolean.TRUE) != null;
  }

  @Override
  public void putListing(String repo, Digest listing, Iterable<PathEntry> entries) throws StorageException {
    db.transaction("paths putListing", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO path_entries"
          + " (repo, path, listing, expected_kind, expected_value, size) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
        int pending = 0;
        for (PathEntry e : entries) {
          ps.setString(1, repo);
          ps.setString(2, e.path());
          ps.setBytes(3, e.listing().bytes());
          Alias alias = e.expected().alias();
          ps.setString(4, alias == null ? SHA256 : alias.kind().name());
          ps.setBytes(5, alias == null ? e.expected().sha256().bytes() : alias.value());
          ps.setLong(6, e.size());
          ps.addBatch();
          if (++pending == BATCH) {
            ps.executeBatch();
            pending = 0;
          }
        }
        if (pending > 0) {
          ps.executeBatch();
        }
      }
      return null;
    });
    db.update("paths putListing", "INSERT INTO listings (repo, listing) VALUES (?, ?) ON CONFLICT DO NOTHING", ps -> {
      ps.setString(1, repo);
      ps.setBytes(2, listing.bytes());
    });
  }

  /**
   * Inserts {@code entries} of {@code repo} (any listings, no marker), for {@code reprox migrate},
   * which writes the markers once every entry of the repository is in; how many were new.
   */
  int copyEntries(String repo, List<PathEntry> entries) throws StorageException {
    return db.transaction("paths copy", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO path_entries"
          + " (repo, path, listing, expected_kind, expected_value, size) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
        for (PathEntry e : entries) {
          ps.setString(1, repo);
          ps.setString(2, e.path());
          ps.setBytes(3, e.listing().bytes());
          Alias alias = e.expected().alias();
          ps.setString(4, alias == null ? SHA256 : alias.kind().name());
          ps.setBytes(5, alias == null ? e.expected().sha256().bytes() : alias.value());
          ps.setLong(6, e.size());
          ps.addBatch();
        }
        int inserted = 0;
        for (int n : ps.executeBatch()) {
          inserted += Math.max(n, 0);
        }
        return inserted;
      }
    });
  }

  /** Writes the "indexed" marker of {@code listing}; false when it was there already. */
  boolean markIndexed(String repo, Digest listing) throws StorageException {
    return db.update("paths mark", "INSERT INTO listings (repo, listing) VALUES (?, ?) ON CONFLICT DO NOTHING", ps -> {
      ps.setString(1, repo);
      ps.setBytes(2, listing.bytes());
    }) > 0;
  }

  @Override
  public List<PathEntry> lookup(String repo, String path) throws StorageException {
    return db.list("paths lookup", "SELECT listing, expected_kind, expected_value, size FROM path_entries"
        + " WHERE repo = ? AND path = ?", ps -> {
          ps.setString(1, repo);
          ps.setString(2, path);
        }, rs -> entry(path, rs));
  }

  @Override
  public void forEach(String repo, Visitor visitor) throws IOException {
    db.forEach("paths forEach", "SELECT listing, expected_kind, expected_value, size, path FROM path_entries"
        + " WHERE repo = ?", ps -> ps.setString(1, repo), rs -> visitor.visit(entry(rs.getString(5), rs)));
  }

  /**
   * The listings come from both tables: a replica that died between a listing's entries and its
   * marker left entries without a marker, and those must go too. Markers are deleted before
   * entries, one listing at a time, so a crash midway leaves only un-indexed listings behind.
   */
  @Override
  public long deleteListings(String repo, Predicate<Digest> doomed) throws StorageException {
    List<Digest> listings = db.list("paths deleteListings", "SELECT listing FROM listings WHERE repo = ?"
        + " UNION SELECT DISTINCT listing FROM path_entries WHERE repo = ?", ps -> {
          ps.setString(1, repo);
          ps.setString(2, repo);
        }, rs -> Db.digest(rs.getBytes(1)));
    long removed = 0;
    for (Digest listing : listings) {
      if (!doomed.test(listing)) {
        continue;
      }
      Db.Binder both = ps -> {
        ps.setString(1, repo);
        ps.setBytes(2, listing.bytes());
      };
      db.update("paths deleteListings", "DELETE FROM listings WHERE repo = ? AND listing = ?", both);
      removed += db.update("paths deleteListings", "DELETE FROM path_entries WHERE repo = ? AND listing = ?", both);
    }
    return removed;
  }

  /** Reads (listing, expected_kind, expected_value, size) as the entry of {@code path}. */
  private static PathEntry entry(String path, ResultSet rs) throws SQLException {
    String kind = rs.getString(2);
    byte[] value = rs.getBytes(3);
    PathEntry.Expected expected = SHA256.equals(kind) ? PathEntry.Expected.sha256(Digest.of(value))
        : PathEntry.Expected.alias(new Alias(Alias.Kind.valueOf(kind), value));
    return new PathEntry(path, expected, rs.getLong(4), Db.digest(rs.getBytes(1)));
  }
}
