package dev.reprox.server.cli;

import dev.reprox.config.ReproxConfig;
import dev.reprox.config.StorageConfig;
import dev.reprox.storage.Storage;
import dev.reprox.storage.rocks.RocksStorage;
import dev.reprox.storage.shared.SharedStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/** Maps the data directory onto a {@link Storage}; the only place the CLI picks a backend. */
final class StorageOpener {
  private StorageOpener() {}

  /**
   * The store {@code config.storage()} names: the RocksDB store in the data directory, or the
   * shared store (PostgreSQL + S3 + local cache), whose schema and bucket are created when missing.
   */
  static Storage open(ReproxConfig config, Clock clock) throws IOException {
    StorageConfig storage = config.storage();
    if (storage.type() == StorageConfig.Type.ROCKSDB) {
      return open(config.data(), clock, storage.blobFiles());
    }
    Files.createDirectories(config.data()); // serve writes listen.address there
    return openShared(config, clock, storage.localCache().orElseThrow().path());
  }

  /**
   * The shared store {@code config} names, with its local cache in {@code cacheDir} ({@code reprox
   * verify} gives a directory of its own, so it never shares a serving replica's cache).
   */
  static Storage openShared(ReproxConfig config, Clock clock, Path cacheDir) throws IOException {
    StorageConfig storage = config.storage();
    StorageConfig.Postgres pg = storage.postgres().orElseThrow();
    StorageConfig.S3 s3 = storage.s3().orElseThrow();
    StorageConfig.LocalCache cache = storage.localCache().orElseThrow();
    return SharedStorage.builder()
        .postgres(pg.url(), pg.user(), pg.password().map(StorageConfig.Secret::value).orElse(null))
        .s3(s3.endpoint().orElse(null), s3.bucket(), s3.region(), s3.pathStyle(),
            s3.accessKey().map(StorageConfig.Secret::value).orElse(null),
            s3.secretKey().map(StorageConfig.Secret::value).orElse(null))
        .localCache(cacheDir, cache.maxSize())
        .fillLease(storage.fillLease())
        .clock(clock)
        .build();
  }

  /** Where the configured store is, for messages: the data directory, or the database and bucket. */
  static String describe(ReproxConfig config) {
    StorageConfig storage = config.storage();
    if (storage.type() == StorageConfig.Type.ROCKSDB) {
      return "the store in " + config.data();
    }
    return "the shared store (" + storage.postgres().orElseThrow().url() + ", bucket "
        + storage.s3().orElseThrow().bucket() + ")";
  }

  /** The RocksDB store under {@code <data>/store} (created when missing), blob files on. */
  static Storage open(Path data, Clock clock) throws IOException {
    return open(data, clock, true);
  }

  /** {@link #open(Path, Clock)} with {@code storage.blob-files}. */
  static Storage open(Path data, Clock clock, boolean blobFiles) throws IOException {
    return RocksStorage.builder().path(store(data)).clock(clock).blobFiles(blobFiles).build();
  }

  /** Durable writes per WAL sync of {@link #openBatch}. */
  static final int BATCH_GROUP_SYNC = 64;

  /**
   * The RocksDB store under {@code <data>/store} for a batch writer that owns it ({@code prewarm
   * --data}): its durable writes synced in groups of {@value #BATCH_GROUP_SYNC} and at close
   * ({@link RocksStorage.Builder#groupSync}; docs/decisions.md says why a kill -9 still loses
   * nothing and a power cut loses only whole packages).
   */
  static Storage openBatch(Path data, Clock clock, boolean blobFiles) throws IOException {
    return RocksStorage.builder().path(store(data)).clock(clock).groupSync(BATCH_GROUP_SYNC).blobFiles(blobFiles)
        .build();
  }

  /** Where {@link #open} keeps the store of a data directory. */
  static Path store(Path data) {
    return data.resolve("store");
  }

  /** True when {@code data} holds a store {@link #open} made (RocksDB writes CURRENT at creation). */
  static boolean holdsStore(Path data) {
    return Files.isRegularFile(store(data).resolve("CURRENT"));
  }

  /**
   * The existing store under {@code <data>/store}, read-only: RocksDB's lock is not taken, so this
   * works while a server holds the store; nothing is created or written.
   */
  static Storage openReadOnly(Path data) throws IOException {
    return RocksStorage.builder().path(store(data)).readOnly(true).build();
  }

  /** A hint when {@code e} is RocksDB refusing a second writer: a server holds the store. */
  static String lockHint(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && m.contains("lock")) {
        return " (is reprox serve running on this data directory? stop it first)";
      }
    }
    return "";
  }
}
