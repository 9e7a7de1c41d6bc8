package dev.reprox.pinning.dnf;

import dev.reprox.pinning.ListedFile;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code <data type="…">} of repomd.xml: a metadata file and what it must be.
 *
 * @param type {@code primary}, {@code filelists}, {@code other}, {@code updateinfo}, {@code group},
 *     {@code modules}, …
 * @param href the {@code <location href>}, relative to the repository root (the directory that
 *     holds {@code repodata/})
 * @param checksum of the file as stored (compressed)
 * @param size of the file as stored (required: reprox checks every metadata file's size)
 * @param openChecksum of the decompressed content, when given
 * @param openSize of the decompressed content, or -1
 * @param timestamp the {@code <timestamp>}, when given
 */
public record RepomdEntry(String type, String href, RpmChecksum checksum, long size,
    Optional<RpmChecksum> openChecksum, long openSize, Optional<Instant> timestamp) {

  public RepomdEntry {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(href, "href");
    Objects.requireNonNull(checksum, "checksum");
    Objects.requireNonNull(openChecksum, "openChecksum");
    Objects.requireNonNull(timestamp, "timestamp");
    if (size < 0) {
      throw new IllegalArgumentException("repomd entry " + type + " has negative size " + size);
    }
  }

  /** The file as a listed file under {@code prefix} (the repository path before {@code repodata/}). */
  public ListedFile toListedFile(String prefix) {
    return new ListedFile(prefix + href, size, checksum.sha256(),
        checksum.alias() == null ? List.of() : List.of(checksum.alias()));
  }
}
