package dev.reprox.storage.rocks;

import dev.reprox.storage.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Owns every native RocksDB object of one store: options, the database, column family handles,
 * read and write options, the block cache. {@link #close()} releases them in reverse order of
 * creation (handles, then the database, then the options they were built from) and is idempotent.
 *
 * <p>Native calls on a closed database crash the JVM instead of throwing, so every caller runs
 * its RocksDB calls inside {@link #enter()}/{@link #exit()}, and close waits for them.
 */
final class RocksResources implements AutoCloseable {
  static final String CHUNKS = "chunks";
  static final String OPEN_WRITES = "open-writes";
  /**
   * The memtable size of the meta and chunk families: a fill's chunks stay in the memtable until a
   * flush writes them to a blob file, so this bounds what a fill in progress holds in native memory
   * (twice this with the one being flushed).
   */
  static final long WRITE_BUFFER_BYTES = 16L << 20;

  private final Path path;
  private final List<AutoCloseable> owned = new ArrayList<>();
  private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();
  private volatile boolean closed;
  /** Opened with {@link RocksDB#openReadOnly}: every write fails. */
  final boolean readOnly;

  final RocksDB db;
  final ColumnFamilyHandle meta;
  final ColumnFamilyHandle chunks;
  final ColumnFamilyHandle openWrites;
  /** The serving path: no checksum verification (software CRC32 here costs 4x), block cache on. */
  final ReadOptions serving;
  /** Scrub: checksums verified, nothing added to the block cache. */
  final ReadOptions verified;
  final WriteOptions noSync;
  /** Chunks of large writes: no WAL (the commit flushes the chunk family first, see RocksBlobWriter). */
  final WriteOptions noWal;
  final FlushOptions flushAndWait;
  /** Commits, deletes and pins: durable when the call returns (unless grouped, see {@link #groupSync}). */
  final WriteOptions sync;
  /**
   * 0: every durable write is synced. N: durable writes are written unsynced (the WAL still
   * reaches the OS at once: a killed process loses none) and the WAL is synced after every N of
   * them and at close: a power cut loses at most the last N, whole (see the builder's groupSync).
   */
  private final int groupSync;
  private final java.util.concurrent.atomic.AtomicInteger unsynced = new java.util.concurrent.atomic.AtomicInteger();

  RocksResources(Path path, long blockCacheBytes, boolean mmapReads) throws StorageException {
    this(path, blockCacheBytes, mmapReads, false, 0);
  }

  /**
   * {@code readOnly}: opened with {@link RocksDB#openReadOnly}, which takes no LOCK, so a scrub can
   * read a store a running server holds; the directory must exist, and every write fails.
   */
  RocksResources(Path path, long blockCacheBytes, boolean mmapReads, boolean readOnly, int groupSync)
      throws StorageException {
    this.path = path;
    this.readOnly = readOnly;
    this.groupSync = groupSync;
    RocksDB.loadLibrary();
    try {
      if (!readOnly) {
        Files.createDirectories(path);
      }
      LRUCache blockCache = own(new LRUCache(blockCacheBytes));
      BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockCache(blockCache);
      DBOptions dbOptions = own(new DBOptions()
          .setCreateIfMissing(!readOnly)
          .setCreateMissingColumnFamilies(!readOnly)
          .setMaxBackgroundJobs(2)
          .setKeepLogFileNum(5)
          // Blob reads from a mapping skip one copy (pread into a scratch buffer): serving reads
          // went from 0.40x to 0.67x of a plain FileChannel read (CPU time, BlobStoreBenchmark),
          // but mapped pages count in RSS; off by default (RocksStorage.Builder#mmapReads).
          .setAllowMmapReads(mmapReads));
      if (readOnly) {
        // Every table file opened now and kept open: the server's compactions may delete files
        // while the scrub runs, and an open descriptor still reads a deleted file.
        dbOptions.setMaxOpenFiles(-1);
      }
      // Memtables are native memory outside -Xmx (issue 14). RocksDB's 64 MiB default let one
      // 63,440-entry listing index or one 50 MB fill sit in a memtable whole until a flush.
      ColumnFamilyOptions metaOptions = own(new ColumnFamilyOptions()
          .setTableFormatConfig(table)
          .setWriteBufferSize(WRITE_BUFFER_BYTES)
          .setCompressionType(CompressionType.LZ4_COMPRESSION));
      // Chunks: values go to blob files (no LSM rewrite of megabytes); GC stays off, it rewrote
      // live data for nothing in the lab (LAB-NOTES). Package bytes are compressed already.
      ColumnFamilyOptions chunkOptions = own(new ColumnFamilyOptions()
          .setTableFormatConfig(table)
          .setWriteBufferSize(WRITE_BUFFER_BYTES)
          .setEnableBlobFiles(true)
          .setMinBlobSize(4096)
          .setBlobFileSize(256L << 20)
          .setEnableBlobGarbageCollection(false)
          .setBlobCompressionType(CompressionType.NO_COMPRESSION)
          .setCompressionType(CompressionType.NO_COMPRESSION));
      ColumnFamilyOptions openOptions = own(new ColumnFamilyOptions().setTableFormatConfig(table));
      List<ColumnFamilyDescriptor> descriptors = List.of(
          new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, metaOptions),
          new ColumnFamilyDescriptor(CHUNKS.getBytes(java.nio.charset.StandardCharsets.US_ASCII), chunkOptions),
          new ColumnFamilyDescriptor(OPEN_WRITES.getBytes(java.nio.charset.StandardCharsets.US_ASCII), openOptions));
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      RocksDB opened = readOnly
          ? RocksDB.openReadOnly(dbOptions, path.toString(), descriptors, handles)
          : RocksDB.open(dbOptions, path.toString(), descriptors, handles);
      // Handles first in the list of things to close, then the database: see close().
      owned.add(opened);
      owned.addAll(handles);
      this.db = opened;
      this.meta = handles.get(0);
      this.chunks = handles.get(1);
      this.openWrites = handles.get(2);
      this.serving = own(new ReadOptions().setVerifyChecksums(false));
      this.verified = own(new ReadOptions().setVerifyChecksums(true).setFillCache(false));
      this.noSync = own(new WriteOptions());
      this.noWal = own(new WriteOptions().setDisableWAL(true));
      this.flushAndWait = own(new FlushOptions().setWaitForFlush(true));
      this.sync = own(new WriteOptions().setSync(true));
    } catch (RocksDBException | java.io.IOException e) {
      closeOwned();
      throw new StorageException("open: cannot open RocksDB store at " + path + ": " + e.getMessage(), e);
    }
  }

  Path path() {
    return path;
  }

  private <T extends AutoCloseable> T own(T resource) {
    owned.add(resource);
    return resource;
  }

  /** Starts a section of native calls; throws when the store is closed. Pair with {@link #exit()}. */
  void enter() throws StorageException {
    closeLock.readLock().lock();
    if (closed) {
      closeLock.readLock().unlock();
      throw new StorageException("storage: store at " + path + " is closed");
    }
  }

  void exit() {
    closeLock.readLock().unlock();
  }

  /**
   * A batch built while the store is open: {@link #close} waits until it is closed (a put names a
   * column family handle, and one freed by a close meanwhile crashes the JVM in native code).
   * Build and write it in one try-with-resources on one thread.
   */
  WriteBatch batch() throws StorageException {
    enter();
    try {
      return new GuardedBatch();
    } catch (RuntimeException e) {
      exit();
      throw e;
    }
  }

  private final class GuardedBatch extends WriteBatch {
    private boolean released;

    @Override
    public void close() {
      try {
        super.close();
      } finally {
        if (!released) {
          released = true;
          exit();
        }
      }
    }
  }

  /** A bounded iteration; the body sees an iterator already limited to [lower, upper). */
  interface Scan<T> {
    T apply(RocksIterator it) throws RocksDBException, StorageException;
  }

  /** Runs {@code body} over [lower, upper) of {@code cf}; every native object is closed after. */
  <T> T scan(String op, ColumnFamilyHandle cf, ReadOptions base, byte[] lower, byte[] upper, Scan<T> body)
      throws StorageException {
    enter();
    try (Slice lo = new Slice(lower);
        Slice hi = new Slice(upper);
        ReadOptions ro = new ReadOptions(base).setIterateLowerBound(lo).setIterateUpperBound(hi);
        RocksIterator it = db.newIterator(cf, ro)) {
      return body.apply(it);
    } catch (RocksDBException e) {
      throw new StorageException(op + ": RocksDB failed: " + e.getMessage(), e);
    } finally {
      exit();
    }
  }

  byte[] get(String op, ColumnFamilyHandle cf, byte[] key) throws StorageException {
    enter();
    try {
      return db.get(cf, serving, key);
    } catch (RocksDBException e) {
      throw new StorageException(op + ": RocksDB get failed: " + e.getMessage(), e);
    } finally {
      exit();
    }
  }

  void put(String op, ColumnFamilyHandle cf, byte[] key, byte[] value, boolean durable) throws StorageException {
    enter();
    try {
      db.put(cf, durable && groupSync == 0 ? sync : noSync, key, value);
      if (durable) {
        grouped();
      }
    } catch (RocksDBException e) {
      throw new StorageException(op + ": RocksDB put failed: " + e.getMessage(), e);
    } finally {
      exit();
    }
  }

  /** A put synced whatever the grouping (the id reservation: ids must never be handed out twice). */
  void putSynced(String op, ColumnFamilyHandle cf, byte[] key, byte[] value) throws StorageException {
    enter();
    try {
      db.put(cf, sync, key, value);
    } catch (RocksDBException e) {
      throw new StorageException(op + ": RocksDB put failed: " + e.getMessage(), e);
    } finally {
      exit();
    }
  }

  void write(String op, WriteBatch batch, boolean durable) throws StorageException {
    enter();
    try {
      db.write(durable && groupSync == 0 ? sync : noSync, batch);
      if (durable) {
        grouped();
      }
    } catch (RocksDBException e) {
      throw new StorageException(op + ": RocksDB write failed: " + e.getMessage(), e);
    } finally {
      exit();
    }
  }

  /**
   * Counts a durable write made unsynced; the Nth syncs the WAL, which covers every write before
   * it (RocksDB's WAL is one ordered log, so a power cut keeps a prefix of the writes: a commit
   * never survives without the chunks written before it). Inside enter/exit.
   */
  private void grouped() throws RocksDBException {
    if (groupSync > 0 && unsynced.incrementAndGet() >= groupSync) {
      unsynced.set(0);
      db.syncWal();
    }
  }

  /** Makes everything written to the chunk family durable (memtable to blob and table files, synced). */
  void flushChunks(String op) throws StorageException {
    enter();
    try {
      db.flush(flushAndWait, chunks);
    } catch (RocksDBException e) {
      throw new StorageException(op + ": RocksDB flush failed: " + e.getMessage(), e);
    } finally {
      exit();
    }
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closeLock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (groupSync > 0 && !readOnly) {
        try {
          db.syncWal(); // the last group: a store closed cleanly has every write durable
        } catch (RocksDBException e) {
          org.slf4j.LoggerFactory.getLogger(RocksResources.class).error("close: syncing the WAL of {} failed: {}",
              path, e.getMessage());
        }
      }
      closeOwned();
    } finally {
      closeLock.writeLock().unlock();
    }
  }

  /**
   * Reverse order of creation: options that were created last go first, then the column family
   * handles, then the database (closing it flushes the WAL), then the options it was opened with.
   */
  private void closeOwned() {
    List<AutoCloseable> reverse = new ArrayList<>(owned);
    java.util.Collections.reverse(reverse);
    // Handles must be closed before the database; in reverse order they come right after the
    // read/write options and before the DB, which is exactly where they were added.
    for (AutoCloseable c : reverse) {
      try {
        c.close();
      } catch (Exception e) {
        // Keep closing the rest; nothing useful can be done with a failed native close.
      }
    }
    owned.clear();
  }
}
