package dev.reprox.storage.rocks;

import dev.reprox.storage.Aliases;
import dev.reprox.storage.BlobStore;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Observations;
import dev.reprox.storage.PathIndex;
import dev.reprox.storage.Pins;
import dev.reprox.storage.BuildRecords;
import dev.reprox.storage.Refs;
import dev.reprox.storage.Storage;
import dev.reprox.storage.StorageException;
import dev.reprox.storage.StorageStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RocksDB {@link Storage}: {@code RocksStorage.builder().path(dir).clock(clock).build()}.
 * Opening checks the layout version and deletes the chunks of writes that never committed.
 * One process per directory (RocksDB locks it), plus any number of {@link Builder#readOnly} readers.
 */
public final class RocksStorage implements Storage {
  private static final Logger LOG = LoggerFactory.getLogger(RocksStorage.class);

  private final RocksResources rocks;
  private final RocksBlobStore blobs;
  private final RocksAliases aliases;
  private final RocksObservations observations;
  private final RocksPins pins;
  private final RocksPathIndex paths;
  private final RocksRefs refs;
  private final RocksBuildRecords builds;

  private RocksStorage(Builder b) throws StorageException {
    this.rocks = new RocksResources(b.path, b.blockCacheBytes, b.mmapReads, b.readOnly, b.groupSync);
    try {
      checkLayout(b.readOnly);
      if (!b.readOnly) {
        deleteAbandonedWrites();
      }
      // A grouped store writes chunks: a file must be forced at its own commit (its bytes are not
      // in the WAL's order), one fdatasync a package that grouping exists to avoid
      // (docs/decisions.md, "Blob files").
      this.blobs = new RocksBlobStore(rocks, b.clock, b.chunkSize, b.hotCacheBytes,
          b.blobFiles && b.groupSync == 0 ? b.blobFileThreshold : -1);
    } catch (StorageException | RuntimeException e) {
      rocks.close();
      throw e;
    }
    this.aliases = new RocksAliases(rocks);
    this.observations = new RocksObservations(rocks);
    this.pins = new RocksPins(rocks);
    this.paths = new RocksPathIndex(rocks);
    this.refs = new RocksRefs(rocks);
    this.builds = new RocksBuildRecords(rocks);
  }

  public static Builder builder() {
    return new Builder();
  }

  private void checkLayout(boolean readOnly) throws StorageException {
    byte[] v = rocks.get("open: read layout", rocks.meta, Keys.layout());
    if (v == null && readOnly) {
      // A new store gets its layout stamp at its first open; a read-only open cannot write it.
      throw new StorageException("open: " + rocks.path() + " is a RocksDB database but not a reprox store"
          + " (no layout version)");
    }
    if (v == null) {
      rocks.put("open: write layout", rocks.meta, Keys.layout(), Values.intValue(Keys.LAYOUT_VERSION), true);
      return;
    }
    int found = ByteBuffer.wrap(v).getInt();
    if (found == 2 && Keys.LAYOUT_VERSION == 3) {
      // Layout 3 only adds a storage byte to new blob values; layout-2 values read as chunks.
      if (!readOnly) {
        rocks.put("open: write layout", rocks.meta, Keys.layout(), Values.intValue(Keys.LAYOUT_VERSION), true);
        LOG.info("open: {} moved from layout 2 to layout {} (blob files)", rocks.path(), Keys.LAYOUT_VERSION);
      }
      return;
    }
    if (found == 1 && Keys.LAYOUT_VERSION == 3) {
      if (readOnly) {
        throw new StorageException("open: store at " + rocks.path() + " has layout version 1; a read-only open"
            + " cannot migrate it to layout " + Keys.LAYOUT_VERSION + ": open it read-write once (reprox serve)");
      }
      migratePinsFromLayout1();
      return;
    }
    if (found != Keys.LAYOUT_VERSION) {
      throw new StorageException("open: store at " + rocks.path() + " has layout version " + found
          + ", this reprox reads layout version " + Keys.LAYOUT_VERSION + "; use a matching reprox or a new data directory");
    }
  }

  /**
   * Layout 1 kept one pin per T ({generation, status, pinnedAt}); layout 2 keeps ranges under the
   * same key with {@code to} in front. Every old pin becomes the range [T, T], and the layout
   * version moves with them in one WriteBatch: a crash leaves either the old store or the new one.
   */
  private void migratePinsFromLayout1() throws StorageException {
    String what = "open: migrate pins from layout 1";
    byte[] prefix = Keys.pinPrefix();
    try (WriteBatch batch = rocks.batch()) {
      int n = rocks.scan(what, rocks.meta, rocks.serving, prefix, Keys.after(prefix), it -> {
        int count = 0;
        for (it.seekToFirst(); it.isValid(); it.next()) {
          batch.put(rocks.meta, it.key(), Values.pinFromLayout1(it.key(), it.value()));
          count++;
        }
        it.status();
        return count;
      });
      batch.put(rocks.meta, Keys.layout(), Values.intValue(Keys.LAYOUT_VERSION));
      rocks.write(what, batch, true);
      LOG.info("open: migrated {} pins of {} from layout 1 to layout {}", n, rocks.path(), Keys.LAYOUT_VERSION);
    } catch (RocksDBException e) {
      throw new StorageException(what + ": " + e.getMessage(), e);
    }
  }

  /** Crash safety: an id still marked in progress never committed; drop it, its chunks and its file. */
  private void deleteAbandonedWrites() throws StorageException {
    List<Long> abandoned = rocks.scan("open: find abandoned writes", rocks.openWrites, rocks.serving,
        new byte[0], Keys.idsEnd(),
        it -> {
          List<Long> ids = new ArrayList<>();
          for (it.seekToFirst(); it.isValid(); it.next()) {
            ids.add(Keys.chunkId(it.key()));
          }
          it.status();
          return ids;
        });
    if (abandoned.isEmpty()) {
      return;
    }
    BlobFiles files = new BlobFiles(rocks.path());
    for (long id : abandoned) {
      files.delete(id); // before the markers: a crash in between leaves them for the next open
    }
    try (WriteBatch batch = rocks.batch()) {
      for (long id : abandoned) {
        batch.delete(rocks.openWrites, Keys.openWrite(id));
        batch.deleteRange(rocks.chunks, Keys.chunk(id, 0), Keys.chunk(id + 1, 0));
      }
      rocks.write("open: delete abandoned writes", batch, true);
    } catch (RocksDBException e) {
      throw new StorageException("open: delete abandoned writes: " + e.getMessage(), e);
    }
    LOG.info("open: deleted {} writes that never committed in {}", abandoned.size(), rocks.path());
  }

  @Override
  public BlobStore blobs() {
    return blobs;
  }

  @Override
  public Aliases aliases() {
    return aliases;
  }

  @Override
  public Observations observations() {
    return observations;
  }

  @Override
  public Pins pins() {
    return pins;
  }

  @Override
  public PathIndex paths() {
    return paths;
  }

  @Override
  public Refs refs() {
    return refs;
  }

  @Override
  public BuildRecords builds() {
    return builds;
  }

  @Override
  public StorageStats stats() {
    ChunkCache c = blobs.cache();
    return new StorageStats(blobs.blobCount.get(), blobs.blobBytes.get(), c.hits(), c.misses(), c.weightedBytes(),
        blobs.dedupCommits.get(), blobs.dedupBytes.get(), blobs.fileBytes.get());
  }

  @Override
  public String reclaimSpace() throws IOException {
    return blobs.reclaimSpace();
  }

  /** Open writes fail (their chunks are deleted at the next open), then RocksDB closes. Idempotent. */
  @Override
  public void close() {
    if (rocks.isClosed()) {
      return;
    }
    blobs.closeWriters();
    rocks.close();
  }

  /** Test hook: damages chunk 0 of a blob on disk, so scrub has something to find. */
  void corrupt(Digest digest) throws IOException {
    blobs.corrupt(digest);
  }

  /** Test hook: how many chunk keys exist, committed or not. */
  /** Bytes the chunk family's memtables hold now, flushed or not (tests). */
  long chunkMemtableBytes() throws StorageException {
    rocks.enter();
    try {
      return Long.parseLong(rocks.db.getProperty(rocks.chunks, "rocksdb.cur-size-all-mem-tables"));
    } catch (org.rocksdb.RocksDBException e) {
      throw new StorageException("chunk memtable size: " + e.getMessage(), e);
    } finally {
      rocks.exit();
    }
  }

  /** Test hook: how many blob files exist, committed or not. */
  long blobFiles() throws StorageException {
    return blobs.files.count();
  }

  long chunkKeys() throws StorageException {
    return rocks.scan("count chunks", rocks.chunks, rocks.serving, new byte[0], Keys.idsEnd(),
        it -> {
          long n = 0;
          for (it.seekToFirst(); it.isValid(); it.next()) {
            n++;
          }
          it.status();
          return n;
        });
  }

  /** Blobs up to this size stay chunks when blob files are on (measured: docs/decisions.md, "Blob files"). */
  public static final int DEFAULT_BLOB_FILE_THRESHOLD = 64 << 10;

  /**
   * Builds a {@link RocksStorage}. Defaults: system UTC clock, 1 MiB chunks, 64 MiB hot cache, no
   * mmap, blob files for blobs over {@value #DEFAULT_BLOB_FILE_THRESHOLD} bytes.
   */
  public static final class Builder {
    private Path path;
    private Clock clock = Clock.systemUTC();
    private int chunkSize = 1 << 20;
    private long hotCacheBytes = 64L << 20;
    private long blockCacheBytes = 32L << 20;
    private boolean mmapReads;
    private boolean readOnly;
    private int groupSync;
    private boolean blobFiles = true;
    private int blobFileThreshold = DEFAULT_BLOB_FILE_THRESHOLD;

    private Builder() {}

    /**
     * New blobs larger than {@link #blobFileThreshold} go to files of their own, not RocksDB
     * chunks (default on; not with {@link #groupSync}). Off: every new blob is chunks, as before
     * layout 3; blobs already in files stay readable either way. docs/DESIGN.md §4,
     * docs/decisions.md ("Blob files").
     */
    public Builder blobFiles(boolean on) {
      this.blobFiles = on;
      return this;
    }

    /**
     * With {@link #blobFiles}: a blob of at most this many bytes stays one chunk in RocksDB (one
     * synced WAL write, no file to create and sync); a larger one spills to a file. Capped at the
     * chunk size; 0 puts every non-empty blob in a file.
     */
    public Builder blobFileThreshold(int bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("rocks storage: blobFileThreshold must be >= 0, got " + bytes);
      }
      this.blobFileThreshold = bytes;
      return this;
    }

    /** The data directory; created when missing. Required. */
    public Builder path(Path path) {
      this.path = Objects.requireNonNull(path, "path");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Chunk size of new blobs (existing blobs keep theirs). */
    public Builder chunkSize(int chunkSize) {
      if (chunkSize < 16 || chunkSize > (64 << 20)) {
        throw new IllegalArgumentException("rocks storage: chunkSize must be 16 B..64 MiB, got " + chunkSize);
      }
      this.chunkSize = chunkSize;
      return this;
    }

    /** Off-heap bytes of hot chunks kept in front of RocksDB; 0 disables the cache. */
    public Builder hotCacheBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("rocks storage: hotCacheBytes must be >= 0, got " + bytes);
      }
      this.hotCacheBytes = bytes;
      return this;
    }

    /** RocksDB's block cache for the small keys (index, metadata). */
    public Builder blockCacheBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("rocks storage: blockCacheBytes must be positive, got " + bytes);
      }
      this.blockCacheBytes = bytes;
      return this;
    }

    /**
     * Read blob files through memory maps (default off). Saves a copy on every cold chunk read,
     * but each mapped page of the store counts in the process's RSS: a server that streamed a few
     * hundred MB of cold packages showed 180 MB of file-backed RSS and crept up with every new
     * package (the soak test's slow RSS rise), which reads as a leak to anyone watching memory
     * limits. The hot-chunk cache serves repeated reads either way.
     */
    public Builder mmapReads(boolean on) {
      this.mmapReads = on;
      return this;
    }

    /**
     * Opens an existing store without RocksDB's lock (default off), so {@code reprox verify} can
     * scrub a store a running server holds: the view is the store as it stood at open (commits
     * after it are not seen), nothing is written at open (no layout stamp, abandoned writes are
     * left for the next writable open), {@link BlobStore#open} does not update the access time,
     * and every write fails with a {@link StorageException}. A missing directory, or one that is
     * not a reprox store, fails the open.
     */
    public Builder readOnly(boolean on) {
      this.readOnly = on;
      return this;
    }

    /**
     * Syncs the WAL once per {@code writes} durable writes (commits, deletes, pins, observations,
     * index markers) and at close, instead of at each (default 0: each). For a batch writer that
     * owns the store, {@code reprox prewarm --data}: a kill -9 still loses nothing (each write
     * reaches the OS before the call returns) and nothing partial is ever visible; a power cut or
     * kernel crash loses at most the last {@code writes} of them, whole, which a rerun fetches
     * again. Not for a server: a client told a package is stored must find it after any crash.
     * New blobs are chunks then, whatever {@link #blobFiles} says.
     */
    public Builder groupSync(int writes) {
      if (writes < 0) {
        throw new IllegalArgumentException("rocks storage: groupSync must be >= 0, got " + writes);
      }
      this.groupSync = writes;
      return this;
    }

    public Storage build() throws StorageException {
      if (path == null) {
        throw new IllegalStateException("rocks storage: path is required");
      }
      return new RocksStorage(this);
    }
  }
}
