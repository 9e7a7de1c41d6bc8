package dev.reprox.storage;

import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;

/** Content-addressed blobs: large values chunked, hashed while written, visible only on commit. */
public interface BlobStore {
  Optional<BlobInfo> stat(Digest digest) throws IOException;

  /** Opens a committed blob for positional reads. @throws BlobNotFoundException when absent */
  BlobReader open(Digest digest) throws IOException;

  BlobWriter newWriter() throws IOException;

  /**
   * Removes a blob; returns false when it was absent. From the moment it returns, {@link #stat}
   * and {@link #open} find nothing, but a reader opened before keeps reading the whole blob: its
   * chunks go when the last such reader closes (or at the next open of the store after a crash).
   */
  boolean delete(Digest digest) throws IOException;

  /** Shows every committed blob to {@code visitor}, in no promised order, never all at once. */
  void forEach(Visitor visitor) throws IOException;

  /** Sees one blob. */
  @FunctionalInterface
  interface Visitor {
    void visit(BlobInfo info) throws IOException;
  }

  /**
   * Re-reads every blob with storage checksums on and recomputes its SHA-256; each damaged or
   * unreadable blob is reported to {@code damaged}. Slow by design: this is {@code reprox verify}.
   */
  ScrubReport scrub(Consumer<ScrubReport.Damage> damaged) throws IOException;
}
