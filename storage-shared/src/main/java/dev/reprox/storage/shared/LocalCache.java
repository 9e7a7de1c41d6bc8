package dev.reprox.storage.shared;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.reprox.storage.Digest;
import dev.reprox.storage.DigestMismatchException;
import dev.reprox.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's copy of blobs it served or wrote: a directory of files named by digest, each one
 * verified before it got its name, bounded by size with least-recently-used eviction. Files being
 * written live in {@code tmp/} and are wiped at start. A reader that has a file open keeps reading
 * it after eviction deletes its name (POSIX unlink semantics).
 */
final class LocalCache {
  private static final Logger LOG = LoggerFactory.getLogger(LocalCache.class);
  private static final int COPY_BUFFER = 1 << 16;

  private final Path blobs;
  private final Path tmp;
  /** Digest → size; weights are KiB so one cache can bound terabytes in int weights. */
  private final Cache<Digest, Long> entries;

  LocalCache(Path dir, long maxBytes) throws StorageException {
    this.blobs = dir.resolve("blobs");
    this.tmp = dir.resolve("tmp");
    this.entries = Caffeine.newBuilder()
        .maximumWeight(Math.max(1, maxBytes / 1024))
        .weigher((Digest d, Long size) -> (int) Math.min(Integer.MAX_VALUE, size / 1024 + 1))
        .executor(Runnable::run)
        .removalListener((Digest d, Long size, RemovalCause cause) -> {
          if (d != null && cause != RemovalCause.REPLACED) {
            deleteQuietly(path(d));
          }
        })
        .build();
    try {
      Files.createDirectories(blobs);
      Files.createDirectories(tmp);
      try (Stream<Path> left = Files.list(tmp)) {
        for (Path p : left.toList()) {
          Files.deleteIfExists(p);
        }
      }
      // Files already here were verified before they were named: adopt them, oldest first.
      try (Stream<Path> files = Files.list(blobs)) {
        for (Path p : files.sorted(Comparator.comparing(LocalCache::modified)).toList()) {
          try {
            entries.put(Digest.sha256(p.getFileName().toString()), Files.size(p));
          } catch (IllegalArgumentException e) {
            LOG.warn("local cache: ignoring {}: not a digest", p);
          }
        }
      }
    } catch (IOException e) {
      throw new StorageException("local cache: open " + dir + ": " + e.getMessage(), e);
    }
  }

  /** A new empty file under {@code tmp/}. */
  Path newTemp() throws StorageException {
    Path p = tmp.resolve(UUID.randomUUID().toString());
    try {
      Files.createFile(p);
      return p;
    } catch (IOException e) {
      throw new StorageException("local cache: create " + p + ": " + e.getMessage(), e);
    }
  }

  /** The open file of {@code digest}, or null when this replica has no copy. */
  FileChannel open(Digest digest) {
    if (entries.getIfPresent(digest) == null) {
      return null;
    }
    try {
      return FileChannel.open(path(digest), StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      entries.invalidate(digest);
      return null;
    } catch (IOException e) {
      LOG.warn("local cache: open {}: {}", digest, e.toString());
      return null;
    }
  }

  /** Names a verified temporary file as {@code digest}'s copy. */
  void adopt(Path temp, Digest digest, long size) throws StorageException {
    try {
      Files.move(temp, path(digest), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new StorageException("local cache: keep " + digest + ": " + e.getMessage(), e);
    }
    entries.put(digest, size);
  }

  /**
   * Copies {@code in} into the cache as {@code digest}, hashing as it goes; the copy gets its name
   * only when the bytes hash to {@code digest} and number {@code size}. Returns the copy open for
   * reading, opened before it was named: eviction may drop the name at once (the cache's admission
   * policy can refuse a newcomer), and the caller still reads it.
   */
  FileChannel fill(Digest digest, long size, InputStream in) throws IOException {
    Path temp = newTemp();
    boolean kept = false;
    try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      MessageDigest hasher = Digest.newHasher();
      byte[] buf = new byte[COPY_BUFFER];
      long total = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        hasher.update(buf, 0, n);
        ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
        while (b.hasRemaining()) {
          out.write(b);
        }
        total += n;
      }
      Digest actual = Digest.of(hasher.digest());
      if (!actual.equals(digest) || total != size) {
        throw new DigestMismatchException(digest, actual);
      }
      FileChannel copy = FileChannel.open(temp, StandardOpenOption.READ);
      try {
        adopt(temp, digest, size);
      } catch (StorageException e) {
        copy.close();
        throw e;
      }
      kept = true;
      return copy;
    } finally {
      if (!kept) {
        deleteQuietly(temp);
      }
    }
  }

  void remove(Digest digest) {
    entries.invalidate(digest);
    deleteQuietly(path(digest));
  }

  long bytes() {
    return entries.asMap().values().stream().mapToLong(Long::longValue).sum();
  }

  private Path path(Digest digest) {
    return blobs.resolve(digest.hex());
  }

  private static java.nio.file.attribute.FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return java.nio.file.attribute.FileTime.fromMillis(0);
    }
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.warn("local cache: delete {}: {}", p, e.toString());
    }
  }
}
