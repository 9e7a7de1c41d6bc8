package dev.reprox.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the archive lives ({@code storage:}): a RocksDB store in {@code data} (one node, the
 * default), or the store several replicas share (metadata on PostgreSQL, blobs on an S3-compatible
 * object store, a bounded local cache per replica; DESIGN.md §8).
 *
 * @param postgres present exactly when {@code type} is {@link Type#SHARED}
 * @param s3 present exactly when {@code type} is {@link Type#SHARED}
 * @param localCache present exactly when {@code type} is {@link Type#SHARED}
 * @param fillLease how long a replica's claim on a fill lasts unless renewed: a replica killed
 *     mid-fill holds the fill up this long before another takes it over
 * @param blobFiles {@code storage.blob-files} (rocksdb only): new blobs over 64 KiB go to files of
 *     their own instead of RocksDB chunks; blobs already stored stay readable either way
 */
public record StorageConfig(Type type, Optional<Postgres> postgres, Optional<S3> s3, Optional<LocalCache> localCache,
    Duration fillLease, boolean blobFiles) {
  public static final Duration DEFAULT_FILL_LEASE = Duration.ofSeconds(30);
  public static final StorageConfig ROCKSDB =
      new StorageConfig(Type.ROCKSDB, Optional.empty(), Optional.empty(), Optional.empty());

  /** With the default {@link #DEFAULT_FILL_LEASE}. */
  public StorageConfig(Type type, Optional<Postgres> postgres, Optional<S3> s3, Optional<LocalCache> localCache) {
    this(type, postgres, s3, localCache, DEFAULT_FILL_LEASE);
  }

  /** With blob files on (the default). */
  public StorageConfig(Type type, Optional<Postgres> postgres, Optional<S3> s3, Optional<LocalCache> localCache,
      Duration fillLease) {
    this(type, postgres, s3, localCache, fillLease, true);
  }

  public enum Type { ROCKSDB, SHARED }

  public StorageConfig {
    Objects.requireNonNull(type, "type");
    if ((type == Type.SHARED) != (postgres.isPresent() && s3.isPresent() && localCache.isPresent())) {
      throw new IllegalArgumentException("storage: postgres, s3 and local-cache go with type shared, and only with it");
    }
    Objects.requireNonNull(fillLease, "fillLease");
  }

  /** {@code storage.postgres}: a JDBC URL, the user, and the password (from a file or the environment). */
  public record Postgres(String url, String user, Optional<Secret> password) {}

  /**
   * {@code storage.s3}: the endpoint (empty: the AWS default for the region), the bucket, the
   * region, path-style addressing, and the keys (empty: the AWS SDK's default credential chain).
   */
  public record S3(Optional<URI> endpoint, String bucket, String region, boolean pathStyle, Optional<Secret> accessKey,
      Optional<Secret> secretKey) {}

  /** {@code storage.local-cache}: this replica's directory of verified copies and its size bound. */
  public record LocalCache(Path path, long maxSize) {}

  /**
   * A password or key and the file it came from. {@link #toString()} never shows the value: a
   * record's default one would, and configurations end up in log lines and assertion messages.
   */
  public record Secret(String value, Optional<Path> file) {
    @Override
    public String toString() {
      return file.map(f -> "Secret[file=" + f + "]").orElse("Secret[***]");
    }
  }
}
