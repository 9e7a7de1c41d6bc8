package dev.reprox.storage;

import java.io.IOException;
import java.util.Optional;

/**
 * Path → the blob last fetched there, for content no signed index vouches for (the live
 * pass-through, repositories without a keyring). Signed content resolves through
 * {@link Observations} and {@link PathIndex} instead.
 */
public interface Refs {
  void put(Ref ref) throws IOException;

  Optional<Ref> get(String repo, String path) throws IOException;

  /** Forgets the ref at (repo, path); false when there was none. */
  boolean delete(String repo, String path) throws IOException;

  /** Shows every ref of every repository to {@code visitor}, in no promised order, never all at once. */
  void forEach(Visitor visitor) throws IOException;

  /** Sees one ref. */
  @FunctionalInterface
  interface Visitor {
    void visit(Ref ref) throws IOException;
  }
}
