package dev.reprox.storage.rocks;

import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobNotFoundException;
import dev.reprox.storage.BlobReader;
import dev.reprox.storage.BlobStore;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.LentBytes;
import dev.reprox.storage.ScrubReport;
import dev.reprox.storage.StorageException;
import dev.reprox.storage.rocks.Values.BlobEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Blobs as chunks under an internal id in the BlobDB column family, or (the file tier, {@link
 * BlobFiles}) as one file under that id, and one entry per digest saying which. Serving reads go
 * through {@link ChunkCache} (a file's chunk is an aligned range of it) into the caller's buffer
 * with checksums off; {@link #scrub} re-reads everything with checksums on and re-hashes it.
 *
 * <p>Long on purpose: writes, reads, reader leases and deletion share the entry and open-write
 * bookkeeping whose ordering (one batch per commit or delete) is what keeps a crash consistent.
 */
final class RocksBlobStore implements BlobStore {
  /** Last access is rewritten at most this often per blob, so reads stay reads. */
  static final Duration ACCESS_GRANULARITY = Duration.ofHours(1);

  private final RocksResources rocks;
  private final Clock clock;
  private final int chunkSize;
  private final ChunkCache cache;
  private final IdAllocator ids;
  /** The file tier: read whenever an entry says "file", written when {@link #fileThreshold} >= 0. */
  final BlobFiles files;
  /** New blobs larger than this go to a file; -1: every new blob is chunks. */
  private final int fileThreshold;
  private final Object commitLock = new Object();
  /** Digests whose new entry is being written outside {@link #commitLock}; guarded by it. */
  private final java.util.Map<Digest, java.util.concurrent.CountDownLatch> committing = new java.util.HashMap<>();
  private final Set<RocksBlobWriter> openWriters = ConcurrentHashMap.newKeySet();
  private final ThreadLocal<ByteBuffer> keyBuffers =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(Keys.CHUNK_KEY_BYTES));
  final AtomicLong blobCount = new AtomicLong();
  final AtomicLong blobBytes = new AtomicLong();
  /** The bytes of the committed blobs kept as files (part of {@link #blobBytes}). */
  final AtomicLong fileBytes = new AtomicLong();
  /** Commits that found their content already stored, and their bytes, since open. */
  final AtomicLong dedupCommits = new AtomicLong();
  final AtomicLong dedupBytes = new AtomicLong();

  RocksBlobStore(RocksResources rocks, Clock clock, int chunkSize, long hotCacheBytes, int fileThreshold)
      throws StorageException {
    this.rocks = rocks;
    this.clock = clock;
    this.chunkSize = chunkSize;
    this.cache = new ChunkCache(hotCacheBytes, chunkSize);
    this.ids = new IdAllocator(rocks);
    this.files = new BlobFiles(rocks.path());
    this.fileThreshold = fileThreshold < 0 ? -1 : Math.min(fileThreshold, chunkSize);
    long[] fileIds = countBlobs();
    if (!rocks.readOnly) {
      files.createDirectories();
      sweepFiles(fileIds);
    }
  }

  /**
   * Deletes blob files that belong to no committed entry (abandoned writes' files went with their
   * markers just before): only a power cut that lost an unsynced marker while its file survived
   * leaves one.
   */
  private void sweepFiles(long[] committed) throws StorageException {
    java.util.Arrays.sort(committed);
    long n = files.sweep(id -> java.util.Arrays.binarySearch(committed, id) >= 0);
    if (n > 0) {
      org.slf4j.LoggerFactory.getLogger(RocksBlobStore.class).info("open: deleted {} blob files of no blob in {}",
          n, rocks.path());
    }
  }

  ChunkCache cache() {
    return cache;
  }

  @Override
  public Optional<BlobInfo> stat(Digest digest) throws IOException {
    return entry(digest).map(BlobEntry::info);
  }

  Optional<BlobEntry> entry(Digest digest) throws StorageException {
    byte[] v = rocks.get("stat " + digest, rocks.meta, Keys.blob(digest));
    return v == null ? Optional.empty() : Optional.of(Values.blob(digest, v));
  }

  @Override
  public BlobReader open(Digest digest) throws IOException {
    BlobEntry e = entry(digest).orElseThrow(() -> new BlobNotFoundException(digest));
    if (!leaseIfCurrent(e)) {
      throw new BlobNotFoundException(digest); // the caller refetches
    }
    Instant now = clock.instant();
    // A read-only store (verify beside a server) cannot record the access, and a scrub is no use.
    if (!rocks.readOnly && e.info().lastAccess().plus(ACCESS_GRANULARITY).isBefore(now)) {
      touch(e, now);
    }
    return new RocksBlobReader(this, e, e.file() ? new BlobFile(files.path(e.id())) : null);
  }

  /**
   * Leases {@code e}'s id, then looks again: false (no lease) when a delete removed the entry
   * before the second look; one that removes it after sees the lease and leaves the chunks or file
   * to {@link #release} (see delete). Never a reader on half a blob.
   */
  private boolean leaseIfCurrent(BlobEntry e) throws StorageException {
    synchronized (leases) {
      leases.merge(e.id(), 1, Integer::sum);
    }
    Optional<BlobEntry> again = entry(e.info().digest());
    if (again.isEmpty() || again.get().id() != e.id()) {
      release(e.id());
      return false;
    }
    return true;
  }

  /** A reader closed; the last reader of a deleted blob deletes its chunks. */
  void release(long id) {
    boolean drop;
    synchronized (leases) {
      Integer n = leases.merge(id, -1, Integer::sum);
      if (n != null && n <= 0) {
        leases.remove(id);
      }
      drop = (n == null || n <= 0) && deferred.remove(id);
    }
    if (drop) {
      dropChunks(id);
    }
  }

  private void dropChunks(long id) {
    try {
      if (!rocks.isClosed()) {
        discard(id);
      }
    } catch (StorageException ex) {
      // The in-progress marker stays, so the next open of the store deletes the chunks.
      org.slf4j.LoggerFactory.getLogger(RocksBlobStore.class).warn("delete chunks of blob id {}: {}", id,
          ex.getMessage());
    }
  }

  /** Open readers per blob id; guarded by itself, like {@link #deferred}. */
  private final java.util.Map<Long, Integer> leases = new java.util.HashMap<>();
  /** Ids of deleted blobs whose chunks wait for their last reader. */
  private final Set<Long> deferred = new java.util.HashSet<>();

  /** Rewrites last access; rare (hourly per blob), under the commit lock so a delete wins. */
  private void touch(BlobEntry e, Instant now) throws StorageException {
    synchronized (commitLock) {
      Optional<BlobEntry> current = entry(e.info().digest());
      if (current.isPresent() && current.get().id() == e.id()) {
        BlobInfo i = e.info();
        BlobEntry touched =
            new BlobEntry(e.id(), new BlobInfo(i.digest(), i.size(), i.chunkSize(), i.created(), now), e.file());
        rocks.put("open " + i.digest(), rocks.meta, Keys.blob(i.digest()), Values.blob(touched), false);
      }
    }
  }

  @Override
  public BlobWriter newWriter() throws IOException {
    long id = ids.next();
    rocks.put("newWriter", rocks.openWrites, Keys.openWrite(id), new byte[0], false);
    RocksBlobWriter w = new RocksBlobWriter(this, id, chunkSize, fileThreshold);
    openWriters.add(w);
    return w;
  }

  void forget(RocksBlobWriter w) {
    openWriters.remove(w);
  }

  @Override
  public boolean delete(Digest digest) throws IOException {
    BlobEntry e;
    synchronized (commitLock) {
      Optional<BlobEntry> found = entry(digest);
      if (found.isEmpty()) {
        return false;
      }
      e = found.get();
      // The entry goes and the id is marked abandoned in one synced batch: from here no open finds
      // it, and a crash before the chunks go leaves them to the next open's cleanup.
      try (WriteBatch batch = rocks.batch()) {
        batch.delete(rocks.meta, Keys.blob(digest));
        batch.put(rocks.openWrites, Keys.openWrite(e.id()), new byte[0]);
        rocks.write("delete " + digest, batch, true);
      } catch (RocksDBException ex) {
        throw new StorageException("delete " + digest + ": " + ex.getMessage(), ex);
      }
      count(e, -1);
    }
    boolean now;
    synchronized (leases) {
      now = !leases.containsKey(e.id());
      if (!now) {
        deferred.add(e.id());
      }
    }
    if (now) {
      discard(e.id());
    }
    // Out of the hot cache either way: an open reader reads on from RocksDB until it closes.
    for (long i = 0, n = chunkCount(e.info()); i < n; i++) {
      cache.invalidate(new ChunkCache.Key(e.id(), i));
    }
    return true;
  }

  @Override
  public void forEach(Visitor visitor) throws IOException {
    byte[] from = Keys.blobPrefix();
    List<BlobEntry> page;
    while (!(page = entries(from, SCRUB_PAGE, rocks.serving)).isEmpty()) {
      for (BlobEntry e : page) {
        visitor.visit(e.info());
      }
      from = Keys.after(Keys.blob(page.get(page.size() - 1).info().digest()));
    }
  }

  /**
   * Compacts the chunk family with BlobDB garbage collection switched on for this one run (age
   * cutoff 1.0: every blob file is a candidate), so blob files that hold deleted chunks are
   * rewritten without them and their space returns; then switches it off again (serving
   * writes never pay for relocation). See docs/DESIGN.md §4 and docs/performance.md.
   */
  String reclaimSpace() throws StorageException {
    rocks.enter();
    try {
      rocks.db.setOptions(rocks.chunks, org.rocksdb.MutableColumnFamilyOptions.builder()
          .setEnableBlobGarbageCollection(true)
          .setBlobGarbageCollectionAgeCutoff(1.0)
          .setBlobGarbageCollectionForceThreshold(0.0)
          .build());
      try {
        rocks.db.compactRange(rocks.chunks);
      } finally {
        rocks.db.setOptions(rocks.chunks, org.rocksdb.MutableColumnFamilyOptions.builder()
            .setEnableBlobGarbageCollection(false)
            .build());
      }
      rocks.db.compactRange(rocks.openWrites);
      return "compacted the chunk family with blob garbage collection";
    } catch (RocksDBException ex) {
      throw new StorageException("reclaim space: " + ex.getMessage(), ex);
    } finally {
      rocks.exit();
    }
  }

  /** Makes a finished write visible, or finds the entry its content already has. */
  BlobEntry commit(long id, Digest digest, long size, ByteBuffer lastChunk, long lastIndex, boolean file)
      throws StorageException {
    java.util.concurrent.CountDownLatch mine = new java.util.concurrent.CountDownLatch(1);
    while (true) {
      java.util.concurrent.CountDownLatch other;
      synchronized (commitLock) {
        other = committing.get(digest);
        if (other == null) {
          Optional<BlobEntry> existing = entry(digest);
          if (existing.isPresent()) {
            if (file) {
              files.delete(id); // before its marker goes: a crash in between leaves the marker
            }
            try (WriteBatch batch = rocks.batch()) {
              batch.delete(rocks.openWrites, Keys.openWrite(id));
              batch.deleteRange(rocks.chunks, Keys.chunk(id, 0), Keys.chunk(id + 1, 0));
              rocks.write("commit " + digest, batch, true);
              dedupCommits.incrementAndGet();
              dedupBytes.addAndGet(size);
              return existing.get();
            } catch (RocksDBException ex) {
              throw new StorageException("commit " + digest + ": " + ex.getMessage(), ex);
            }
          }
          committing.put(digest, mine);
          break;
        }
      }
      // The same bytes are being committed by another writer: once it is in, dedup onto its entry.
      awaitCommitted(other);
    }
    // A new entry is written outside the lock: no delete or touch can find a digest that has no
    // entry yet, a second commit of it waits above, and concurrent commits of other blobs then
    // share one synced WAL write (RocksDB groups writers that arrive together) instead of syncing
    // one after another.
    try (WriteBatch batch = rocks.batch()) {
      batch.delete(rocks.openWrites, Keys.openWrite(id));
      if (lastChunk != null) {
        // Direct key and value: the partial chunk is copied once, into the batch.
        batch.put(rocks.chunks, Keys.chunk(keyBuffers.get(), id, lastIndex), lastChunk.duplicate());
      }
      Instant now = clock.instant();
      BlobEntry e = new BlobEntry(id, new BlobInfo(digest, size, chunkSize, now, now), file);
      batch.put(rocks.meta, Keys.blob(digest), Values.blob(e));
      rocks.write("commit " + digest, batch, true);
      count(e, 1);
      return e;
    } catch (RocksDBException ex) {
      throw new StorageException("commit " + digest + ": " + ex.getMessage(), ex);
    } finally {
      synchronized (commitLock) {
        committing.remove(digest);
      }
      mine.countDown();
    }
  }

  /** Waits for another writer's commit of the same digest. Not interruptible (it is short). */
  private static void awaitCommitted(java.util.concurrent.CountDownLatch other) {
    boolean interrupted = false;
    while (true) {
      try {
        other.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  void flushChunks(Digest digest) throws StorageException {
    rocks.flushChunks("commit " + digest);
  }

  /** Deletes the chunks, the file and the in-progress marker of an abandoned write. */
  void discard(long id) throws StorageException {
    files.delete(id); // first: the marker must outlive the file (a crash between leaves the marker)
    try (WriteBatch batch = rocks.batch()) {
      batch.delete(rocks.openWrites, Keys.openWrite(id));
      batch.deleteRange(rocks.chunks, Keys.chunk(id, 0), Keys.chunk(id + 1, 0));
      rocks.write("cancel write " + id, batch, false);
    } catch (RocksDBException ex) {
      throw new StorageException("cancel write " + id + ": " + ex.getMessage(), ex);
    }
  }

  /**
   * Writes one full chunk of a write in progress; never synced (the commit is). With
   * {@code logged} false the chunk skips the WAL, and the commit must {@link #flushChunks} first.
   */
  void putChunk(long id, long index, ByteBuffer value, boolean logged) throws StorageException {
    ByteBuffer key = Keys.chunk(keyBuffers.get(), id, index);
    rocks.enter();
    try {
      rocks.db.put(rocks.chunks, logged ? rocks.noSync : rocks.noWal, key, value);
    } catch (RocksDBException e) {
      throw new StorageException("write: cannot store chunk " + index + " of write " + id + ": " + e.getMessage(), e);
    } finally {
      rocks.exit();
    }
  }

  /**
   * Reads chunk {@code index} of blob {@code id} (through the hot cache) and copies from
   * {@code offset} into {@code dst}; returns the bytes copied.
   */
  int readChunk(long id, long index, int chunkLength, int offset, ByteBuffer dst, Object what) throws IOException {
    return readCached(new ChunkCache.Key(id, index), chunkLength, offset, dst,
        buf -> readInto(id, index, chunkLength, buf, rocks.serving, what),
        (off, d) -> {
          if (off != 0 || !d.isDirect() || d.remaining() < chunkLength) {
            return -1;
          }
          // A whole chunk into a direct buffer: straight from RocksDB, no copy of our own.
          readInto(id, index, chunkLength, d.duplicate(), rocks.serving, what);
          d.position(d.position() + chunkLength);
          return chunkLength;
        });
  }

  /** Fills a buffer with one whole chunk (position 0, limit = its length). */
  @FunctionalInterface
  private interface Filler {
    void fill(ByteBuffer buf) throws IOException;
  }

  /** Reads a chunk that missed and is not admitted straight into dst at offset; -1 when it cannot. */
  @FunctionalInterface
  private interface Direct {
    int read(int offset, ByteBuffer dst) throws IOException;
  }

  /**
   * One chunk's bytes from {@code offset} into {@code dst} through the hot cache: a hit copies, a
   * miss that is not admitted reads through {@code direct} when it can, anything else fills a
   * pooled buffer through {@code whole} and offers it to the cache.
   */
  private int readCached(ChunkCache.Key key, int chunkLength, int offset, ByteBuffer dst, Filler whole, Direct direct)
      throws IOException {
    ChunkCache.Chunk c = cache.get(key);
    if (c == null) {
      boolean admit = cache.admitOnMiss(key);
      if (!admit) {
        int n = direct.read(offset, dst);
        if (n >= 0) {
          return n;
        }
      }
      ByteBuffer buf = cache.acquire(chunkLength);
      try {
        whole.fill(buf);
      } catch (IOException | RuntimeException e) {
        cache.recycle(buf);
        throw e;
      }
      c = cache.put(key, buf);
    }
    try {
      int n = Math.min(dst.remaining(), chunkLength - offset);
      dst.put(c.data.duplicate().position(offset).limit(offset + n));
      return n;
    } finally {
      c.release();
    }
  }

  /**
   * Fills {@code buf} (from its position, {@code length} bytes; then position back, limit after
   * them) with chunk {@code index} of a committed blob: its chunk, or that range of its file.
   */
  private void fill(BlobEntry e, BlobFile f, long index, int length, ByteBuffer buf, ReadOptions options)
      throws IOException {
    if (!e.file()) {
      readInto(e.id(), index, length, buf, options, e.info().digest());
      return;
    }
    int start = buf.position();
    buf.limit(start + length);
    f.readFully(buf, index * e.info().chunkSize());
    buf.position(start).limit(start + length);
  }

  /** Reads one whole chunk into {@code buf} (position 0, limit = length). */
  void readInto(long id, long index, int chunkLength, ByteBuffer buf, ReadOptions options, Object what)
      throws StorageException {
    ByteBuffer key = Keys.chunk(keyBuffers.get(), id, index);
    int start = buf.position();
    buf.limit(start + chunkLength);
    int n;
    rocks.enter();
    try {
      n = rocks.db.get(rocks.chunks, options, key, buf);
    } catch (RocksDBException e) {
      throw new StorageException("read: chunk " + index + " of " + what + ": " + e.getMessage(), e);
    } finally {
      rocks.exit();
    }
    if (n == RocksDB.NOT_FOUND) {
      throw new StorageException("read: chunk " + index + " of " + what + " is missing");
    }
    if (n != chunkLength) {
      throw new StorageException("read: chunk " + index + " of " + what + " has " + n + " bytes, expected " + chunkLength);
    }
    buf.position(start).limit(start + chunkLength);
  }

  /** {@link dev.reprox.storage.BlobReader#lendIfHot}: a view of a cached chunk, or null. */
  LentBytes lendIfHot(BlobEntry e, long position, int max) {
    BlobInfo info = e.info();
    if (position < 0 || position >= info.size() || max <= 0) {
      return null;
    }
    int cs = info.chunkSize();
    long index = position / cs;
    ChunkCache.Chunk c = cache.peek(new ChunkCache.Key(e.id(), index));
    return c == null ? null : view(c, (int) (position - index * cs), max);
  }

  /**
   * {@link dev.reprox.storage.BlobReader#lend}: a view of the cached chunk, or of the whole chunk
   * read into a pooled buffer (cached when it missed recently, as in {@link #readChunk}).
   */
  LentBytes lend(BlobEntry e, BlobFile f, long position, int max) throws IOException {
    BlobInfo info = e.info();
    if (position < 0) {
      throw new IllegalArgumentException("read: negative position " + position + " in " + info.digest());
    }
    if (position >= info.size()) {
      return null;
    }
    if (max <= 0) {
      throw new IllegalArgumentException("read: nothing asked for at " + position + " in " + info.digest());
    }
    int cs = info.chunkSize();
    long index = position / cs;
    int length = (int) Math.min(cs, info.size() - index * cs);
    ChunkCache.Key key = new ChunkCache.Key(e.id(), index);
    ChunkCache.Chunk c = cache.get(key);
    if (c == null) {
      boolean admit = cache.admitOnMiss(key);
      ByteBuffer buf = cache.acquire(length);
      try {
        fill(e, f, index, length, buf, rocks.serving);
      } catch (IOException | RuntimeException x) {
        cache.recycle(buf);
        throw x;
      }
      c = admit ? cache.put(key, buf) : cache.loose(buf);
    }
    return view(c, (int) (position - index * cs), max);
  }

  /** A retained chunk as lent bytes from {@code offset}; releasing them releases the chunk. */
  private static LentBytes view(ChunkCache.Chunk c, int offset, int max) {
    int n = Math.min(max, c.data.limit() - offset);
    ByteBuffer view = c.data.duplicate().position(offset).limit(offset + n).slice();
    return new LentBytes() {
      private final AtomicBoolean released = new AtomicBoolean();

      @Override
      public ByteBuffer buffer() {
        return view;
      }

      @Override
      public void release() {
        if (released.compareAndSet(false, true)) {
          c.release();
        }
      }
    };
  }

  /** {@link #read(BlobEntry, BlobFile, long, ByteBuffer)} without a reader: a file blob's file opens for this read. */
  int read(BlobEntry e, long position, ByteBuffer dst) throws IOException {
    if (!e.file()) {
      return read(e, null, position, dst);
    }
    try (BlobFile f = new BlobFile(files.path(e.id()))) {
      return read(e, f, position, dst);
    }
  }

  /** Reads of a committed blob; {@code f} is its file when the entry says "file". */
  int read(BlobEntry e, BlobFile f, long position, ByteBuffer dst) throws IOException {
    BlobInfo info = e.info();
    if (position < 0) {
      throw new IllegalArgumentException("read: negative position " + position + " in " + info.digest());
    }
    if (position >= info.size()) {
      return -1;
    }
    if (!dst.hasRemaining()) {
      return 0;
    }
    int cs = info.chunkSize();
    long index = position / cs;
    int length = (int) Math.min(cs, info.size() - index * cs);
    int offset = (int) (position - index * cs);
    if (!e.file()) {
      return readChunk(e.id(), index, length, offset, dst, info.digest());
    }
    return readCached(new ChunkCache.Key(e.id(), index), length, offset, dst,
        buf -> fill(e, f, index, length, buf, rocks.serving),
        (off, d) -> {
          // A file reads from any offset into any buffer: no whole-chunk detour.
          int n = Math.min(d.remaining(), length - off);
          ByteBuffer view = d.duplicate();
          view.limit(view.position() + n);
          int r = f.read(view, index * cs + off);
          if (r < 0) {
            throw new StorageException("read: blob file of " + info.digest() + " ends before " + info.size() + " bytes");
          }
          d.position(d.position() + r);
          return r;
        });
  }

  @Override
  public ScrubReport scrub(Consumer<ScrubReport.Damage> damaged) throws IOException {
    long checked = 0;
    long bytes = 0;
    long bad = 0;
    ByteBuffer buf = ByteBuffer.allocateDirect(chunkSize);
    byte[] from = Keys.blobPrefix();
    List<BlobEntry> page;
    // Pages of entries, so neither the heap nor a close of the store waits on the whole scrub.
    while (!(page = entries(from, SCRUB_PAGE, rocks.verified)).isEmpty()) {
      for (BlobEntry e : page) {
        BlobInfo info = e.info();
        if (buf.capacity() < info.chunkSize()) {
          buf = ByteBuffer.allocateDirect(info.chunkSize());
        }
        // In this process a delete may run meanwhile: lease the blob as a reader does, and skip it
        // when it went before the lease (deleted, not damaged). A read-only store (verify beside a
        // server) cannot lease across processes: its caller re-checks what it finds missing.
        boolean leased = e.file() && !rocks.readOnly;
        if (leased && !leaseIfCurrent(e)) {
          continue;
        }
        ScrubReport.Damage damage;
        try {
          damage = verify(e, buf);
        } finally {
          if (leased) {
            release(e.id());
          }
        }
        checked++;
        bytes += info.size();
        if (damage != null) {
          bad++;
          damaged.accept(damage);
        }
      }
      from = Keys.after(Keys.blob(page.get(page.size() - 1).info().digest()));
    }
    return new ScrubReport(checked, bytes, bad);
  }

  private static final int SCRUB_PAGE = 1024;

  /** Up to {@code max} blob entries from key {@code from} on. */
  private List<BlobEntry> entries(byte[] from, int max, ReadOptions options) throws StorageException {
    return rocks.scan("list blobs", rocks.meta, options, from, Keys.after(Keys.blobPrefix()), it -> {
      List<BlobEntry> out = new ArrayList<>();
      for (it.seekToFirst(); it.isValid() && out.size() < max; it.next()) {
        out.add(Values.blob(Keys.digestAt(it.key(), 1), it.value()));
      }
      it.status();
      return out;
    });
  }

  /** Re-reads one blob with checksums on; returns what is wrong with it, or null. */
  private ScrubReport.Damage verify(BlobEntry e, ByteBuffer buf) {
    if (e.file()) {
      return verifyFile(e, buf);
    }
    BlobInfo info = e.info();
    MessageDigest md = Digest.newHasher();
    try {
      for (long i = 0, n = chunkCount(info); i < n; i++) {
        int length = (int) Math.min(info.chunkSize(), info.size() - i * info.chunkSize());
        readInto(e.id(), i, length, buf.clear(), rocks.verified, info.digest());
        md.update(buf);
      }
    } catch (StorageException ex) {
      return new ScrubReport.Damage(info.digest(), "scrub: " + ex.getMessage());
    }
    return hashed(info, md);
  }

  /** Damage when the bytes {@code md} saw hash to another digest than {@code info}'s. */
  private static ScrubReport.Damage hashed(BlobInfo info, MessageDigest md) {
    Digest actual = Digest.of(md.digest());
    return actual.equals(info.digest()) ? null : new ScrubReport.Damage(info.digest(), "scrub: content hashes to " + actual);
  }

  /** Re-hashes one blob file; a missing file, or one of another size, is damage. */
  private ScrubReport.Damage verifyFile(BlobEntry e, ByteBuffer buf) {
    BlobInfo info = e.info();
    java.nio.file.Path p = files.path(e.id());
    MessageDigest md = Digest.newHasher();
    try (BlobFile f = new BlobFile(p)) {
      long size = java.nio.file.Files.size(p);
      if (size != info.size()) {
        return new ScrubReport.Damage(info.digest(), "scrub: blob file " + p + " has " + size + " bytes, expected "
            + info.size());
      }
      for (long at = 0; at < info.size(); at += buf.capacity()) {
        buf.clear().limit((int) Math.min(buf.capacity(), info.size() - at));
        f.readFully(buf, at);
        md.update(buf.flip());
      }
    } catch (java.nio.file.NoSuchFileException ex) {
      return new ScrubReport.Damage(info.digest(), "scrub: blob file " + p + " is missing", true);
    } catch (IOException ex) {
      return new ScrubReport.Damage(info.digest(), "scrub: " + ex.getMessage());
    }
    return hashed(info, md);
  }

  static long chunkCount(BlobInfo info) {
    return (info.size() + info.chunkSize() - 1) / info.chunkSize();
  }

  /** Fails every open write's tails; their chunks stay for the next open to delete. */
  void closeWriters() {
    for (RocksBlobWriter w : openWriters) {
      w.storeClosed();
    }
  }

  /** Counts a committed blob in ({@code sign} 1) or out (-1) of {@link #blobCount} and the byte totals. */
  private void count(BlobEntry e, int sign) {
    blobCount.addAndGet(sign);
    blobBytes.addAndGet(sign * e.info().size());
    if (e.file()) {
      fileBytes.addAndGet(sign * e.info().size());
    }
  }

  /** Counts the committed blobs and their bytes; returns the ids of those in files. */
  private long[] countBlobs() throws StorageException {
    return rocks.scan("open: count blobs", rocks.meta, rocks.serving, Keys.blobPrefix(), Keys.after(Keys.blobPrefix()),
        it -> {
          long[] fileIds = new long[64];
          int n = 0;
          for (it.seekToFirst(); it.isValid(); it.next()) {
            BlobEntry e = Values.blob(Keys.digestAt(it.key(), 1), it.value());
            count(e, 1);
            if (e.file()) {
              if (n == fileIds.length) {
                fileIds = java.util.Arrays.copyOf(fileIds, 2 * n);
              }
              fileIds[n++] = e.id();
            }
          }
          it.status();
          return java.util.Arrays.copyOf(fileIds, n);
        });
  }

  /** Test hook: overwrites chunk 0 of {@code digest} (or its file's first byte) with a damaged copy. */
  void corrupt(Digest digest) throws IOException {
    BlobEntry e = entry(digest).orElseThrow(() -> new BlobNotFoundException(digest));
    if (e.file()) {
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(files.path(e.id()),
          java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
        ByteBuffer first = ByteBuffer.allocate(1);
        ch.read(first, 0);
        first.put(0, (byte) (first.get(0) ^ 0x5a)).rewind();
        ch.write(first, 0);
        ch.force(false);
      }
      cache.invalidate(new ChunkCache.Key(e.id(), 0));
      return;
    }
    byte[] key = Keys.chunk(e.id(), 0);
    byte[] value = rocks.get("corrupt", rocks.chunks, key);
    value[0] ^= 0x5a;
    rocks.put("corrupt", rocks.chunks, key, value, true);
    cache.invalidate(new ChunkCache.Key(e.id(), 0));
  }
}
