package dev.reprox.storage.shared;

import dev.reprox.storage.Ref;
import dev.reprox.storage.Refs;
import dev.reprox.storage.StorageException;
import java.util.Optional;

/** Refs in one table; the last writer wins, as in the other stores. */
final class PgRefs implements Refs {
  private final Db db;

  PgRefs(Db db) {
    this.db = db;
  }

  @Override
  public void put(Ref ref) throws StorageException {
    db.update("refs put", "INSERT INTO refs (repo, path, digest, seen_ns) VALUES (?, ?, ?, ?)"
        + " ON CONFLICT (repo, path) DO UPDATE SET digest = EXCLUDED.digest, seen_ns = EXCLUDED.seen_ns", ps -> {
          ps.setString(1, ref.repo());
          ps.setString(2, ref.path());
          ps.setBytes(3, ref.digest().bytes());
          ps.setBigDecimal(4, Db.nanos(ref.seenAt()));
        });
  }

  @Override
  public Optional<Ref> get(String repo, String path) throws StorageException {
    return Optional.ofNullable(db.one("refs get", "SELECT digest, seen_ns FROM refs WHERE repo = ? AND path = ?", ps -> {
      ps.setString(1, repo);
      ps.setString(2, path);
    }, rs -> new Ref(repo, path, Db.digest(rs.getBytes(1)), Db.instant(rs.getBigDecimal(2)))));
  }

  @Override
  public boolean delete(String repo, String path) throws StorageException {
    return db.update("refs delete", "DELETE FROM refs WHERE repo = ? AND path = ?", ps -> {
      ps.setString(1, repo);
      ps.setString(2, path);
    }) > 0;
  }

  @Override
  public void forEach(Visitor visitor) throws java.io.IOException {
    db.forEach("refs forEach", "SELECT repo, path, digest, seen_ns FROM refs", ps -> { },
        rs -> visitor.visit(new Ref(rs.getString(1), rs.getString(2), Db.digest(rs.getBytes(3)),
            Db.instant(rs.getBigDecimal(4)))));
  }
}
