package dev.reprox.storage.shared;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Aliases;
import dev.reprox.storage.Digest;
import dev.reprox.storage.StorageException;
import java.io.IOException;
import java.util.Optional;

/** Aliases in one table keyed by (kind, value); the first target recorded stays. */
final class PgAliases implements Aliases {
  private final Db db;

  PgAliases(Db db) {
    this.db = db;
  }

  @Override
  public void put(Alias alias, Digest target) throws StorageException {
    db.update("aliases put", "INSERT INTO aliases (kind, value, target) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        ps -> {
          ps.setString(1, alias.kind().name());
          ps.setBytes(2, alias.value());
          ps.setBytes(3, target.bytes());
        });
  }

  @Override
  public Optional<Digest> resolve(Alias alias) throws StorageException {
    return Optional.ofNullable(db.one("aliases resolve", "SELECT target FROM aliases WHERE kind = ? AND value = ?",
        ps -> {
          ps.setString(1, alias.kind().name());
          ps.setBytes(2, alias.value());
        }, rs -> Db.digest(rs.getBytes(1))));
  }

  @Override
  public boolean delete(Alias alias) throws StorageException {
    return db.update("aliases delete", "DELETE FROM aliases WHERE kind = ? AND value = ?", ps -> {
      ps.setString(1, alias.kind().name());
      ps.setBytes(2, alias.value());
    }) > 0;
  }

  @Override
  public void forEach(Alias.Kind kind, Visitor visitor) throws IOException {
    db.forEach("aliases forEach", "SELECT value, target FROM aliases WHERE kind = ?",
        ps -> ps.setString(1, kind.name()),
        rs -> visitor.visit(new Alias(kind, rs.getBytes(1)), Db.digest(rs.getBytes(2))));
  }
}
