package dev.reprox.pinning;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Aliases;
import dev.reprox.storage.Digest;
import dev.reprox.storage.PathEntry;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A file that a signed index or a listing names, with the content it must have.
 *
 * @param path repository-relative path, e.g. {@code dists/bookworm/main/binary-amd64/Packages.xz}
 *     or {@code pool/main/a/apt/apt_2.6.1_amd64.deb}
 * @param size exact size in bytes
 * @param sha256 the expected SHA-256, or null when the format names the file by another hash only
 *     (apk's Q1)
 * @param aliases the other hashes the index gives (MD5, SHA-1, SHA-512, Q1), for the alias table
 */
public record ListedFile(String path, long size, Digest sha256, List<Alias> aliases) {
  public ListedFile {
    Objects.requireNonNull(path, "path");
    aliases = List.copyOf(aliases);
    if (sha256 == null && aliases.isEmpty()) {
      throw new IllegalArgumentException("listed file " + path + " has no hash");
    }
    if (size < 0) {
      throw new IllegalArgumentException("listed file " + path + " has negative size " + size);
    }
  }

  /**
   * The SHA-256 of this file's content: its own, else the blob the store's alias table maps its
   * first alias to (recorded only by a fill that checked the body against that alias, or by an
   * import that checked it again); empty when no such body is stored yet.
   */
  public Optional<Digest> knownSha256(Aliases store) throws IOException {
    return sha256 != null ? Optional.of(sha256) : store.resolve(aliases.get(0));
  }

  /** The storage record for this file as named by the listing {@code listing}. */
  public PathEntry toPathEntry(Digest listing) {
    PathEntry.Expected expected = sha256 != null ? PathEntry.Expected.sha256(sha256)
        : PathEntry.Expected.alias(aliases.get(0));
    return new PathEntry(path, expected, size, listing);
  }
}
