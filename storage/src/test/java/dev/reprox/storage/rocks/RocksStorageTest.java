package dev.reprox.storage.rocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.storage.AliasesContract;
import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobReader;
import dev.reprox.storage.BlobStoreContract;
import dev.reprox.storage.BuildEntry;
import dev.reprox.storage.BuildRecordsContract;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.LentBytes;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.PathEntry;
import dev.reprox.storage.ObservationsContract;
import dev.reprox.storage.PathIndexContract;
import dev.reprox.storage.Pin;
import dev.reprox.storage.PinsContract;
import dev.reprox.storage.RefsContract;
import dev.reprox.storage.Storage;
import dev.reprox.storage.StorageException;
import dev.reprox.storage.TailReader;
import dev.reprox.storage.WriteCancelledException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** The contract suites against {@link RocksStorage}, plus what only a persistent store can show. */
class RocksStorageTest {
  static final Instant START = Instant.parse("2024-03-01T00:00:00Z");

  /** The default store: blobs over one chunk (or the file threshold) go to files. */
  static Storage rocks(Path dir, Clock clock, int chunkSize) throws StorageException {
    return RocksStorage.builder().path(dir).clock(clock).chunkSize(chunkSize).hotCacheBytes(4096).build();
  }

  /** A store that keeps every new blob in RocksDB chunks ({@code storage.blob-files: false}). */
  static Storage chunked(Path dir, Clock clock, int chunkSize) throws StorageException {
    return RocksStorage.builder().path(dir).clock(clock).chunkSize(chunkSize).hotCacheBytes(4096).blobFiles(false)
        .build();
  }

  @TempDir
  Path dir;

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void putListing_storeClosedWhileItsEntriesAreStillParsed_failsCleanly_nothingIndexed() throws Exception {
    Storage store = rocks(dir, Clock.systemUTC(), 64);
    Digest listing = Digest.compute(new byte[] {7});
    Digest body = Digest.compute(new byte[] {8});
    // The entries come from a parser that is still reading when the server shuts down.
    Iterable<PathEntry> entries = () -> new java.util.Iterator<>() {
      int n;

      @Override
      public boolean hasNext() {
        return n < 100;
      }

      @Override
      public PathEntry next() {
        if (++n == 50) {
          store.close();
        }
        return new PathEntry("pool/p" + n + ".deb", new PathEntry.Expected(body, null), 1, listing);
      }
    };

    // Before: the next put handed a freed column family handle to native code (SIGSEGV).
    assertThatThrownBy(() -> store.paths().putListing("r", listing, entries))
        .isInstanceOf(StorageException.class).hasMessageContaining("closed");
    try (Storage again = rocks(dir, Clock.systemUTC(), 64)) {
      assertThat(again.paths().isIndexed("r", listing)).isFalse();
    }
  }

  @Test
  void closeWithoutCommit_thenReopen_leavesNoChunks() throws Exception {
    byte[] data = random(64 * 5 + 3, 1);
    Storage first = chunked(dir, Clock.systemUTC(), 64);
    BlobWriter w = first.blobs().newWriter();
    w.write(ByteBuffer.wrap(data));
    TailReader tail = w.tail();
    assertThat(((RocksStorage) first).chunkKeys()).isEqualTo(5);

    first.close(); // the writer is still open: as after a crash, its chunks are on disk

    assertThatThrownBy(() -> tail.read(0, ByteBuffer.allocate(8))).isInstanceOf(WriteCancelledException.class);
    try (Storage second = chunked(dir, Clock.systemUTC(), 64)) {
      assertThat(((RocksStorage) second).chunkKeys()).isZero();
      assertThat(second.blobs().stat(Digest.compute(data))).isEmpty();
      // Ids are not reused: a new write after reopen gets chunks of its own.
      BlobInfo info;
      try (BlobWriter w2 = second.blobs().newWriter()) {
        w2.write(ByteBuffer.wrap(data));
        info = w2.commit(Digest.compute(data), data.length);
      }
      assertThat(info.size()).isEqualTo(data.length);
      assertThat(((RocksStorage) second).chunkKeys()).isEqualTo(6);
    }
  }

  @Test
  void delete_withAReaderOpen_chunksGoWhenItCloses_orAtTheNextOpenAfterACrash() throws Exception {
    byte[] a = random(64 * 3, 11);
    byte[] b = random(64 * 2, 12);
    Storage first = chunked(dir, Clock.systemUTC(), 64);
    Digest da = put(first, a);
    Digest db = put(first, b);
    BlobReader ra = first.blobs().open(da);
    BlobReader rb = first.blobs().open(db);
    first.blobs().delete(da);
    first.blobs().delete(db);
    assertThat(((RocksStorage) first).chunkKeys()).isEqualTo(5); // both still being read

    ra.close();
    assertThat(((RocksStorage) first).chunkKeys()).isEqualTo(2); // a's last reader went

    first.close(); // as a crash: b's reader never closed
    try (Storage second = chunked(dir, Clock.systemUTC(), 64)) {
      assertThat(((RocksStorage) second).chunkKeys()).isZero();
      assertThat(second.blobs().stat(db)).isEmpty();
    }
    rb.close(); // after its store closed: nothing to do, nothing crashes
  }

  @Test
  void write_ofManyWriteBuffers_holdsAtMostTwoInMemtables() throws Exception {
    int chunk = 1 << 20;
    long written = 3 * RocksResources.WRITE_BUFFER_BYTES;
    try (Storage s = RocksStorage.builder().path(dir).chunkSize(chunk).hotCacheBytes(0).blobFiles(false).build()) {
      BlobWriter w = s.blobs().newWriter();
      ByteBuffer data = ByteBuffer.allocateDirect(chunk);
      long max = 0;
      for (long n = 0; n < written; n += chunk) {
        w.write(data.clear());
        max = Math.max(max, ((RocksStorage) s).chunkMemtableBytes());
      }
      // A fill in progress is native memory outside the heap: flushed as it grows, not held whole.
      assertThat(max).isLessThanOrEqualTo(2 * RocksResources.WRITE_BUFFER_BYTES + 2 * chunk);
      w.cancel();
    }
  }

  @Test
  void writes_oneAfterAnother_reuseTheirChunkBuffer() throws Exception {
    java.lang.management.BufferPoolMXBean direct = java.lang.management.ManagementFactory
        .getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
        .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
    try (Storage s = RocksStorage.builder().path(dir).chunkSize(1 << 16).hotCacheBytes(1 << 20).build()) {
      long before = direct.getCount();
      for (int i = 0; i < 32; i++) {
        try (BlobWriter w = s.blobs().newWriter()) {
          w.write(ByteBuffer.wrap(random(3 << 15, i))); // a chunk and a half
          if (i % 4 == 3) {
            w.cancel();
          } else {
            w.commit(null, -1);
          }
        }
      }
      // A fresh chunk buffer per write was allocated, zeroed and left to the collector for each
      // package (issue 11); ended writes give theirs back to the pool for the next one.
      assertThat(direct.getCount() - before).isLessThanOrEqualTo(2);
    }
  }

  @Test
  void tailReadAfterCommit_whileTheNextWriteRefillsTheBuffer_readsTheCommittedBytes() throws Exception {
    byte[] first = random(3 << 15, 21);
    byte[] second = random(3 << 15, 22);
    try (Storage s = RocksStorage.builder().path(dir).chunkSize(1 << 16).hotCacheBytes(1 << 20).build()) {
      RocksBlobWriter a = (RocksBlobWriter) s.blobs().newWriter();
      a.write(ByteBuffer.wrap(first));
      a.commit(null, -1);
      // The next write gets the pooled buffer a held its partial last chunk in, and overwrites it.
      BlobWriter b = s.blobs().newWriter();
      b.write(ByteBuffer.wrap(second));
      // A tail that looked at a's progress before its commit reads on through readWritten.
      ByteBuffer dst = ByteBuffer.allocate(1 << 15);
      int n = a.readWritten(1 << 16, dst, first.length);
      assertThat(dst.flip().limit()).isEqualTo(n);
      assertThat(dst).isEqualTo(ByteBuffer.wrap(first, 1 << 16, n));
      b.cancel();
      BlobWriter c = s.blobs().newWriter();
      c.write(ByteBuffer.wrap(second));
      c.cancel();
      assertThatThrownBy(() -> ((RocksBlobWriter) c).readWritten(0, ByteBuffer.allocate(16), 16))
          .isInstanceOf(StorageException.class);
    }
  }

  @Test
  void cancel_deletesChunksAtOnce() throws Exception {
    try (Storage s = chunked(dir, Clock.systemUTC(), 64)) {
      BlobWriter w = s.blobs().newWriter();
      w.write(ByteBuffer.wrap(random(64 * 3, 2)));
      w.cancel();
      assertThat(((RocksStorage) s).chunkKeys()).isZero();
    }
  }

  @Test
  void duplicateCommit_deletesTheNewChunks() throws Exception {
    byte[] data = random(64 * 4, 3);
    try (Storage s = chunked(dir, Clock.systemUTC(), 64)) {
      for (int i = 0; i < 2; i++) {
        try (BlobWriter w = s.blobs().newWriter()) {
          w.write(ByteBuffer.wrap(data));
          w.commit(null, -1);
        }
      }
      assertThat(((RocksStorage) s).chunkKeys()).isEqualTo(4);
      assertThat(s.stats().blobCount()).isEqualTo(1);
      assertThat(s.stats().blobBytes()).isEqualTo(data.length);
    }
  }

  @Test
  void reopen_keepsBlobsPinsAndObservations() throws Exception {
    MutableClock clock = new MutableClock(START);
    byte[] data = random(1000, 4);
    Pin pin = new Pin("debian", "dists/bookworm/InRelease", START, START.plusSeconds(60), Digest.compute(data),
        Pin.Status.PROVEN, START);
    try (Storage s = rocks(dir, clock, 64)) {
      try (BlobWriter w = s.blobs().newWriter()) {
        w.write(ByteBuffer.wrap(data));
        w.commit(null, -1);
      }
      s.pins().putIfAbsent(pin, pin.from());
      s.pins().putIfAbsent(pin, pin.to()); // joined: one record [from, to]
    }
    try (Storage s = rocks(dir, clock, 128)) {
      assertThat(s.pins().get(pin.repo(), pin.root(), START.plusSeconds(30))).contains(pin);
      assertThat(s.stats().blobCount()).isEqualTo(1);
      try (BlobReader r = s.blobs().open(Digest.compute(data))) {
        ByteBuffer all = ByteBuffer.allocate(data.length);
        long pos = 0;
        int n;
        while ((n = r.read(pos, all)) > 0) {
          assertThat(n).isLessThanOrEqualTo(64); // the blob keeps the chunk size it was written with
          pos += n;
        }
        assertThat(all.array()).isEqualTo(data);
      }
    }
  }

  /** Writes {@code keys} (key, value pairs) into the default family of the closed store in {@code dir}. */
  private static void putRaw(Path dir, byte[]... keys) throws Exception {
    RocksDB.loadLibrary();
    try (org.rocksdb.DBOptions dbo = new org.rocksdb.DBOptions();
        org.rocksdb.ColumnFamilyOptions cfo = new org.rocksdb.ColumnFamilyOptions()) {
      java.util.List<org.rocksdb.ColumnFamilyHandle> handles = new java.util.ArrayList<>();
      try (RocksDB db = RocksDB.open(dbo, dir.toString(), java.util.List.of(
          new org.rocksdb.ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfo),
          new org.rocksdb.ColumnFamilyDescriptor("chunks".getBytes(), cfo),
          new org.rocksdb.ColumnFamilyDescriptor("open-writes".getBytes(), cfo)), handles)) {
        for (int i = 0; i < keys.length; i += 2) {
          db.put(keys[i], keys[i + 1]);
        }
        handles.forEach(org.rocksdb.ColumnFamilyHandle::close);
      }
    }
  }

  /** A layout-1 pin value: {generation, status ordinal, pinnedAt}, one T per key. */
  private static byte[] layout1Pin(Digest generation, Pin.Status status, Instant pinnedAt) {
    ByteBuffer b = ByteBuffer.allocate(Digest.LENGTH + 1 + Keys.INSTANT_BYTES);
    b.put(generation.bytes()).put((byte) status.ordinal());
    Keys.putInstant(b, pinnedAt);
    return b.array();
  }

  @Test
  void open_layout1Store_migratesPinsToOneTRanges() throws Exception {
    rocks(dir, Clock.systemUTC(), 64).close();
    Digest g1 = Digest.compute(new byte[] {1});
    Digest g2 = Digest.compute(new byte[] {2});
    Instant t1 = START.plusSeconds(10);
    Instant t2 = START.plusSeconds(20);
    putRaw(dir, Keys.layout(), Values.intValue(1),
        Keys.pin("debian", "dists/bookworm/InRelease", t1), layout1Pin(g1, Pin.Status.PROVEN, START),
        Keys.pin("debian", "dists/bookworm/InRelease", t2), layout1Pin(g2, Pin.Status.FIRST_USE, START.plusSeconds(1)),
        Keys.pin("wolfi", "os/x86_64/APKINDEX.tar.gz", t1), layout1Pin(g2, Pin.Status.UNPROVEN, START));

    try (Storage s = rocks(dir, Clock.systemUTC(), 64)) {
      String root = "dists/bookworm/InRelease";
      assertThat(s.pins().list("debian")).containsExactly(
          Pin.at("debian", root, t1, g1, Pin.Status.PROVEN, START),
          Pin.at("debian", root, t2, g2, Pin.Status.FIRST_USE, START.plusSeconds(1)));
      assertThat(s.pins().get("wolfi", "os/x86_64/APKINDEX.tar.gz", t1))
          .contains(Pin.at("wolfi", "os/x86_64/APKINDEX.tar.gz", t1, g2, Pin.Status.UNPROVEN, START));
      assertThat(s.pins().get("debian", root, t1.plusNanos(1))).isEmpty();
    }
    // Migrated once: the store now says layout 2 and opens again unchanged.
    try (Storage s = rocks(dir, Clock.systemUTC(), 64)) {
      assertThat(s.pins().list("debian")).hasSize(2);
    }
  }

  @Test
  void openReadOnly_layout1Store_refusesWithMessage_andLeavesItUnmigrated() throws Exception {
    rocks(dir, Clock.systemUTC(), 64).close();
    Instant t1 = START.plusSeconds(10);
    putRaw(dir, Keys.layout(), Values.intValue(1),
        Keys.pin("debian", "r", t1), layout1Pin(Digest.compute(new byte[] {1}), Pin.Status.PROVEN, START));

    assertThatThrownBy(() -> RocksStorage.builder().path(dir).readOnly(true).build())
        .isInstanceOf(StorageException.class).hasMessageContaining("layout version 1");
    try (Storage s = rocks(dir, Clock.systemUTC(), 64)) {
      assertThat(s.pins().get("debian", "r", t1)).isPresent();
    }
  }

  @Test
  void open_otherLayoutVersion_refusesWithMessage() throws Exception {
    rocks(dir, Clock.systemUTC(), 64).close();
    RocksDB.loadLibrary();
    try (Options o = new Options();
        org.rocksdb.DBOptions dbo = new org.rocksdb.DBOptions();
        org.rocksdb.ColumnFamilyOptions cfo = new org.rocksdb.ColumnFamilyOptions()) {
      java.util.List<org.rocksdb.ColumnFamilyHandle> handles = new java.util.ArrayList<>();
      try (RocksDB db = RocksDB.open(dbo, dir.toString(), java.util.List.of(
          new org.rocksdb.ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfo),
          new org.rocksdb.ColumnFamilyDescriptor("chunks".getBytes(), cfo),
          new org.rocksdb.ColumnFamilyDescriptor("open-writes".getBytes(), cfo)), handles)) {
        db.put(Keys.layout(), Values.intValue(Keys.LAYOUT_VERSION + 1));
        handles.forEach(org.rocksdb.ColumnFamilyHandle::close);
      }
    }

    assertThatThrownBy(() -> rocks(dir, Clock.systemUTC(), 64))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("layout version " + (Keys.LAYOUT_VERSION + 1))
        .hasMessageContaining(dir.toString());
  }

  @Test
  void readOnly_whileWriterHoldsTheStore_scrubsCommittedBlobsAndWritesFail() throws Exception {
    byte[] data = random(64 * 3 + 5, 2);
    try (Storage writer = rocks(dir, Clock.systemUTC(), 64)) {
      try (BlobWriter w = writer.blobs().newWriter()) {
        w.write(ByteBuffer.wrap(data));
        w.commit(Digest.compute(data), data.length);
      }
      // A second writable open in the same process meets RocksDB's LOCK, as verify did while serve ran.
      assertThatThrownBy(() -> rocks(dir, Clock.systemUTC(), 64)).isInstanceOf(StorageException.class)
          .hasMessageContaining("LOCK");
      try (Storage reader = RocksStorage.builder().path(dir).readOnly(true).build()) {
        java.util.List<Digest> damaged = new java.util.ArrayList<>();
        dev.reprox.storage.ScrubReport report = reader.blobs().scrub(d -> damaged.add(d.digest()));
        assertThat(report.blobsChecked()).isEqualTo(1);
        assertThat(report.bytesChecked()).isEqualTo(data.length);
        assertThat(damaged).isEmpty();
        assertThatThrownBy(() -> reader.blobs().newWriter()).isInstanceOf(StorageException.class);
      }
      // The writer is untouched by the reader's open and close.
      assertThat(writer.blobs().stat(Digest.compute(data))).isPresent();
    }
  }

  @Test
  void readOnly_openOfABlobNotReadForHours_readsWithoutWriting() throws Exception {
    byte[] data = random(100, 3);
    MutableClock clock = new MutableClock(START);
    try (Storage writer = rocks(dir, clock, 64); BlobWriter w = writer.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(data));
      w.commit(Digest.compute(data), data.length);
    }
    clock.advance(java.time.Duration.ofHours(2)); // past the access granularity: a writable open would touch
    try (Storage reader = RocksStorage.builder().path(dir).clock(clock).readOnly(true).build();
        BlobReader r = reader.blobs().open(Digest.compute(data))) {
      ByteBuffer buf = ByteBuffer.allocate(data.length);
      while (buf.hasRemaining()) {
        assertThat(r.read(buf.position(), buf)).isPositive(); // one chunk at most per read
      }
      assertThat(buf.array()).isEqualTo(data);
    }
  }

  @Test
  void readOnly_absentOrNotAStore_refusesAndCreatesNothing() throws Exception {
    Path absent = dir.resolve("absent");
    assertThatThrownBy(() -> RocksStorage.builder().path(absent).readOnly(true).build())
        .isInstanceOf(StorageException.class).hasMessageContaining(absent.toString());
    assertThat(absent).doesNotExist();

    // Reprox's column families, but never opened by reprox: no layout version.
    Path plain = dir.resolve("plain");
    RocksDB.loadLibrary();
    try (org.rocksdb.DBOptions dbo = new org.rocksdb.DBOptions().setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true);
        org.rocksdb.ColumnFamilyOptions cfo = new org.rocksdb.ColumnFamilyOptions()) {
      java.util.List<org.rocksdb.ColumnFamilyHandle> handles = new java.util.ArrayList<>();
      try (RocksDB db = RocksDB.open(dbo, plain.toString(), java.util.List.of(
          new org.rocksdb.ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfo),
          new org.rocksdb.ColumnFamilyDescriptor("chunks".getBytes(), cfo),
          new org.rocksdb.ColumnFamilyDescriptor("open-writes".getBytes(), cfo)), handles)) {
        handles.forEach(org.rocksdb.ColumnFamilyHandle::close);
      }
    }
    assertThatThrownBy(() -> RocksStorage.builder().path(plain).readOnly(true).build())
        .isInstanceOf(StorageException.class).hasMessageContaining("not a reprox store");
  }

  @Test
  void close_isIdempotent_andLaterCallsFailCleanly() throws Exception {
    Storage s = rocks(dir, Clock.systemUTC(), 64);
    s.close();
    s.close();
    assertThatThrownBy(() -> s.blobs().stat(Digest.compute(new byte[0])))
        .isInstanceOf(StorageException.class).hasMessageContaining("closed");
  }

  @Test
  void hotCache_chunkAdmittedOnSecondMiss_thenHits() throws Exception {
    byte[] data = random(1 << 16, 5);
    try (Storage s = RocksStorage.builder().path(dir).chunkSize(1 << 14).hotCacheBytes(1 << 20).build()) {
      Digest d;
      try (BlobWriter w = s.blobs().newWriter()) {
        w.write(ByteBuffer.wrap(data));
        d = w.commit(null, -1).digest();
      }
      long misses = s.stats().cacheMisses();
      ByteBuffer dst = ByteBuffer.allocateDirect(1 << 14);
      try (BlobReader r = s.blobs().open(d)) {
        r.read(0, dst.clear()); // miss: read straight into dst, remembered
        assertThat(s.stats().cacheBytes()).isZero();
        r.read(0, dst.clear()); // second miss: admitted
        assertThat(s.stats().cacheBytes()).isEqualTo(1 << 14);
        r.read(0, dst.clear()); // hit
        assertThat(dst.flip()).isEqualTo(ByteBuffer.wrap(data, 0, 1 << 14));
      }
      assertThat(s.stats().cacheMisses()).isEqualTo(misses + 2);
      assertThat(s.stats().cacheHits()).isEqualTo(1);
    }
  }

  @Test
  void lendIfHot_onlyCachedChunks_andAViewOutlivesItsBlobUntilReleased() throws Exception {
    int chunk = 1 << 14;
    byte[] a = random(chunk * 2, 6);
    byte[] b = random(chunk * 4, 7);
    try (Storage s = RocksStorage.builder().path(dir).chunkSize(chunk).hotCacheBytes(8L * chunk).build()) {
      Digest da = put(s, a);
      Digest db = put(s, b);
      try (BlobReader ra = s.blobs().open(da); BlobReader rb = s.blobs().open(db)) {
        assertThat(ra.lendIfHot(0, chunk)).isNull(); // never read: not hot
        ra.lend(0, chunk).release(); // first miss: not admitted
        assertThat(ra.lendIfHot(0, chunk)).isNull();
        ra.lend(0, chunk).release(); // second miss: admitted
        LentBytes hot = ra.lendIfHot(10, chunk);
        assertThat(hot).isNotNull();
        assertThat(hot.buffer().remaining()).isEqualTo(chunk - 10);

        assertThat(s.blobs().delete(da)).isTrue(); // drops a's chunks from the cache
        assertThat(ra.lendIfHot(0, chunk)).isNull();
        for (int pass = 0; pass < 3; pass++) {
          for (long at = 0; at < b.length; at += chunk) {
            rb.lend(at, chunk).release(); // takes and recycles pooled buffers
          }
        }
        byte[] seen = new byte[chunk - 10];
        hot.buffer().duplicate().get(seen);
        assertThat(seen).isEqualTo(java.util.Arrays.copyOfRange(a, 10, chunk)); // not reused while lent
        hot.release();
        hot.release(); // a second release changes nothing
        LentBytes again = rb.lend(0, chunk);
        byte[] first = new byte[chunk];
        again.buffer().duplicate().get(first);
        assertThat(first).isEqualTo(java.util.Arrays.copyOf(b, chunk));
        again.release();
      }
    }
  }

  private static Digest put(Storage s, byte[] data) throws Exception {
    try (BlobWriter w = s.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(data));
      return w.commit(null, -1).digest();
    }
  }

  @Test
  void keys_lengthPrefixedStrings_doNotCollide() {
    assertThat(Keys.ref("a", "b/c")).isNotEqualTo(Keys.ref("a/b", "c"));
    assertThat(Keys.startsWith(Keys.pathPrefix("a", "b/cd"), Keys.pathPrefix("a", "b/c"))).isFalse();
    assertThat(java.util.Arrays.compareUnsigned(Keys.pin("r", "x", Instant.parse("1960-01-01T00:00:00Z")),
        Keys.pin("r", "x", Instant.EPOCH))).isNegative();
  }

  @Nested
  class Blobs extends BlobStoreContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) throws Exception {
      return rocks(dir, clock, chunkSize);
    }

    @Override
    protected void corrupt(Storage storage, Digest digest) throws Exception {
      ((RocksStorage) storage).corrupt(digest);
    }
  }

  /** The same contract with every blob in RocksDB chunks (the tier older stores hold). */
  @Nested
  class BlobsInChunks extends BlobStoreContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) throws Exception {
      return chunked(dir, clock, chunkSize);
    }

    @Override
    protected void corrupt(Storage storage, Digest digest) throws Exception {
      ((RocksStorage) storage).corrupt(digest);
    }
  }

  @Nested
  class ObservationsSuite extends ObservationsContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) throws Exception {
      return rocks(dir, clock, chunkSize);
    }
  }

  @Nested
  class PinsSuite extends PinsContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) throws Exception {
      return rocks(dir, clock, chunkSize);
    }
  }

  @Nested
  class PathIndexSuite extends PathIndexContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) throws Exception {
      return rocks(dir, clock, chunkSize);
    }
  }

  @Nested
  class AliasesSuite extends AliasesContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) throws Exception {
      return rocks(dir, clock, chunkSize);
    }
  }

  @Nested
  class RefsSuite extends RefsContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) throws Exception {
      return rocks(dir, clock, chunkSize);
    }
  }

  @Nested
  class BuildRecordsSuite extends BuildRecordsContract {
    @Override
    protected Storage newStorage(Path dir, Clock clock, int chunkSize) throws Exception {
      return rocks(dir, clock, chunkSize);
    }

    @Test
    void records_surviveReopen_andTheLabelBoundStillCounts() throws Exception {
      BuildEntry e = entry("ci", "debian", "pool/a.deb", 1, START);
      storage.builds().record(e, 1);
      storage.close();

      storage = rocks(dir, clock, chunkSize());
      assertThat(storage.builds().entries("ci")).containsExactly(e);
      assertThat(storage.builds().record(entry("other", "debian", "pool/a.deb", 1, START), 1))
          .isEqualTo(dev.reprox.storage.BuildRecords.Outcome.LABELS_FULL);
    }

    private int chunkSize() {
      return CHUNK;
    }
  }
}
