package dev.reprox.storage;

import java.io.IOException;
import java.util.Optional;

/** Maps the other hashes of a blob (SHA-1, SHA-512, MD5, apk Q1) to its SHA-256. */
public interface Aliases {
  /** Records that {@code alias} names the blob {@code target}. Idempotent. */
  void put(Alias alias, Digest target) throws IOException;

  Optional<Digest> resolve(Alias alias) throws IOException;

  /** Forgets {@code alias} (its blob went in {@code reprox gc}); false when it was absent. */
  boolean delete(Alias alias) throws IOException;

  /**
   * Shows every alias of {@code kind} and its target to {@code visitor}, in no promised order; for
   * {@code reprox verify}, which re-checks what an alias promises (an apk Q1 covers the data part
   * only through the package's own datahash). Never loads the whole table.
   */
  void forEach(Alias.Kind kind, Visitor visitor) throws IOException;

  /** Sees one alias. */
  @FunctionalInterface
  interface Visitor {
    void visit(Alias alias, Digest target) throws IOException;
  }
}
