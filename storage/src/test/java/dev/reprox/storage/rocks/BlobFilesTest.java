package dev.reprox.storage.rocks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobReader;
import dev.reprox.storage.BlobStoreContract;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.ScrubReport;
import dev.reprox.storage.Storage;
import dev.reprox.storage.StorageException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;

/**
 * The file tier of {@link RocksStorage}: where bytes go, what a crash, a delete or a stray file
 * leaves, and a store that holds chunked blobs from before next to file blobs. The shared blob
 * contract runs against it in {@link RocksStorageTest.Blobs}.
 */
class BlobFilesTest {
  private static final int CHUNK = 1 << 12;

  @TempDir
  Path dir;

  private Storage files() throws StorageException {
    return RocksStorage.builder().path(dir).chunkSize(CHUNK).blobFileThreshold(CHUNK / 4).hotCacheBytes(0).build();
  }

  private Storage chunks() throws StorageException {
    return RocksStorage.builder().path(dir).chunkSize(CHUNK).blobFiles(false).hotCacheBytes(0).build();
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static Digest put(Storage s, byte[] data) throws Exception {
    try (BlobWriter w = s.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(data));
      return w.commit(Digest.compute(data), data.length).digest();
    }
  }

  private static byte[] readAll(Storage s, Digest d) throws Exception {
    try (BlobReader r = s.blobs().open(d)) {
      return readAll(r);
    }
  }

  private static byte[] readAll(BlobReader r) throws Exception {
    return BlobStoreContract.readAll(r);
  }


  private static RocksStorage rs(Storage s) {
    return (RocksStorage) s;
  }

  @Test
  void write_pastTheThreshold_goesToOneFile_noChunks_smallBlobStaysOneChunk() throws Exception {
    byte[] big = random(CHUNK * 5 + 17, 1);
    byte[] small = random(CHUNK / 4, 2);
    try (Storage s = files()) {
      BlobWriter w = s.blobs().newWriter();
      w.write(ByteBuffer.wrap(big, 0, 100));
      assertThat(rs(s).blobFiles()).as("still under the threshold: buffered").isZero();
      w.write(ByteBuffer.wrap(big, 100, big.length - 100));
      assertThat(rs(s).blobFiles()).isEqualTo(1);
      Digest d = w.commit(Digest.compute(big), big.length).digest();
      Digest ds = put(s, small);

      assertThat(rs(s).blobFiles()).isEqualTo(1);
      assertThat(rs(s).chunkKeys()).as("the small blob's one chunk").isEqualTo(1);
      assertThat(Files.size(blobFile(s, d))).isEqualTo(big.length);
      assertThat(readAll(s, d)).isEqualTo(big);
      assertThat(readAll(s, ds)).isEqualTo(small);
    }
  }

  private static Path blobFile(Storage s, Digest d) throws Exception {
    RocksBlobStore blobs = (RocksBlobStore) s.blobs();
    Values.BlobEntry e = blobs.entry(d).orElseThrow();
    assertThat(e.file()).isTrue();
    return blobs.files.path(e.id());
  }

  /** A FileChannel closes itself for every thread when one reading thread is interrupted. */
  @Test
  void read_afterAnotherThreadsInterruptClosedTheSharedFile_reopensAndReadsOn() throws Exception {
    byte[] data = random(CHUNK * 3, 17);
    try (Storage s = files()) {
      Digest d = put(s, data);
      try (BlobReader r = s.blobs().open(d)) {
        r.read(0, ByteBuffer.allocateDirect(CHUNK)); // opens the reader's file
        java.util.concurrent.atomic.AtomicReference<Throwable> seen = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new Thread(() -> {
          Thread.currentThread().interrupt();
          try {
            r.read(CHUNK, ByteBuffer.allocateDirect(CHUNK));
          } catch (Throwable e) {
            seen.set(e);
          }
        });
        t.start();
        t.join();
        assertThat(seen.get()).isInstanceOf(java.nio.channels.ClosedByInterruptException.class);

        assertThat(readAll(r)).isEqualTo(data);
      }
    }
  }

  @Test
  void closeWithoutCommit_thenReopen_deletesTheFile() throws Exception {
    byte[] data = random(CHUNK * 3, 3);
    Storage first = files();
    BlobWriter w = first.blobs().newWriter();
    w.write(ByteBuffer.wrap(data));
    assertThat(rs(first).blobFiles()).isEqualTo(1);

    first.close(); // the writer is still open: as after a crash, its file is on disk

    try (Storage second = files()) {
      assertThat(rs(second).blobFiles()).isZero();
      assertThat(second.blobs().stat(Digest.compute(data))).isEmpty();
      Digest d = put(second, data); // a fresh id, a file of its own
      assertThat(readAll(second, d)).isEqualTo(data);
      assertThat(rs(second).blobFiles()).isEqualTo(1);
    }
  }

  @Test
  void cancel_andDuplicateCommit_deleteTheirFilesAtOnce() throws Exception {
    byte[] data = random(CHUNK * 2, 4);
    try (Storage s = files()) {
      BlobWriter w = s.blobs().newWriter();
      w.write(ByteBuffer.wrap(data));
      w.cancel();
      assertThat(rs(s).blobFiles()).isZero();

      Digest d = put(s, data);
      put(s, data); // same content: commits to the first entry, its own file goes
      assertThat(rs(s).blobFiles()).isEqualTo(1);
      assertThat(s.stats().blobCount()).isEqualTo(1);
      assertThat(readAll(s, d)).isEqualTo(data);
    }
  }

  @Test
  void delete_withAReaderOpen_fileGoesWhenItCloses_orAtTheNextOpenAfterACrash() throws Exception {
    byte[] a = random(CHUNK * 3, 5);
    byte[] b = random(CHUNK * 2, 6);
    Storage first = files();
    Digest da = put(first, a);
    Digest db = put(first, b);
    BlobReader ra = first.blobs().open(da);
    BlobReader rb = first.blobs().open(db);
    first.blobs().delete(da);
    first.blobs().delete(db);
    assertThat(rs(first).blobFiles()).isEqualTo(2); // both still being read
    assertThat(readAll(ra)).isEqualTo(a);

    ra.close();
    assertThat(rs(first).blobFiles()).isEqualTo(1); // a's last reader went

    first.close(); // as a crash: b's reader never closed
    try (Storage second = files()) {
      assertThat(rs(second).blobFiles()).isZero();
      assertThat(second.blobs().stat(db)).isEmpty();
    }
    rb.close(); // after its store closed: nothing to do, nothing crashes
  }

  @Test
  void reopen_deletesAFileNoMarkerOrEntryNames() throws Exception {
    Digest kept;
    Path stray;
    try (Storage s = files()) {
      kept = put(s, random(CHUNK * 2, 7));
      // As a power cut can leave it: a file whose unsynced in-progress marker was lost.
      stray = ((RocksBlobStore) s.blobs()).files.path(987_654_321L);
      Files.write(stray, random(CHUNK, 8));
      Files.writeString(stray.resolveSibling("README"), "not a blob file"); // not ours: left alone
    }
    try (Storage s = files()) {
      assertThat(stray).doesNotExist();
      assertThat(stray.resolveSibling("README")).exists();
      assertThat(rs(s).blobFiles()).isEqualTo(1);
      assertThat(readAll(s, kept)).hasSize(CHUNK * 2);
    }
  }

  @Test
  void scrub_missingOrDamagedFile_reportsEachBlob() throws Exception {
    try (Storage s = files()) {
      Digest good = put(s, random(CHUNK * 2, 9));
      Digest gone = put(s, random(CHUNK * 2, 10));
      Digest damaged = put(s, random(CHUNK * 2, 11));
      Files.delete(blobFile(s, gone));
      rs(s).corrupt(damaged);
      List<ScrubReport.Damage> found = new ArrayList<>();

      ScrubReport report = s.blobs().scrub(found::add);

      assertThat(report.blobsChecked()).isEqualTo(3);
      assertThat(found).extracting(ScrubReport.Damage::digest).containsExactlyInAnyOrder(gone, damaged);
      assertThat(found).filteredOn(x -> x.digest().equals(gone)).first()
          .satisfies(x -> assertThat(x.reason()).contains("missing"));
      assertThat(good).isNotIn(gone, damaged);
    }
  }

  /** The bytes kept as files are counted as they commit and delete, and again at the next open. */
  @Test
  void stats_blobFileBytes_countTheFileBlobsOnly_acrossDeleteAndReopen() throws Exception {
    Digest big;
    try (Storage s = files()) {
      big = put(s, random(CHUNK * 3, 40));
      Digest other = put(s, random(CHUNK * 2, 41));
      put(s, random(100, 42)); // one chunk, not a file
      assertThat(s.stats().blobFileBytes()).isEqualTo(CHUNK * 5);
      assertThat(s.blobs().delete(other)).isTrue();
      assertThat(s.stats().blobFileBytes()).isEqualTo(CHUNK * 3);
      assertThat(s.stats().blobBytes()).isEqualTo(CHUNK * 3 + 100);
    }
    try (Storage s = files()) {
      assertThat(s.stats().blobFileBytes()).isEqualTo(CHUNK * 3);
      assertThat(readAll(s, big)).hasSize(CHUNK * 3);
    }
  }

  /**
   * verify beside a running server: a read-only open sees the entries as they were at its open,
   * and a blob the server deleted since has no file. That is reported as missing (the caller
   * re-checks it against a fresh open), and the missing flag is set on no other damage.
   */
  @Test
  void scrub_readOnlyBesideAWriterThatDeletes_reportsTheGoneFileAsMissing() throws Exception {
    try (Storage server = files()) {
      Digest kept = put(server, random(CHUNK * 2, 20));
      Digest deleted = put(server, random(CHUNK * 2, 21));
      Digest damaged = put(server, random(CHUNK * 2, 22));
      rs(server).corrupt(damaged);
      try (Storage verify = RocksStorage.builder().path(dir).chunkSize(CHUNK).readOnly(true).hotCacheBytes(0).build()) {
        assertThat(server.blobs().delete(deleted)).isTrue();
        List<ScrubReport.Damage> found = new ArrayList<>();

        ScrubReport report = verify.blobs().scrub(found::add);

        assertThat(report.blobsChecked()).isEqualTo(3);
        assertThat(found).extracting(ScrubReport.Damage::digest).containsExactlyInAnyOrder(deleted, damaged);
        assertThat(found).filteredOn(ScrubReport.Damage::missing).extracting(ScrubReport.Damage::digest)
            .containsExactly(deleted);
        assertThat(kept).isNotIn(deleted, damaged);
      }
    }
  }

  /**
   * A scrub in the process that deletes: a blob deleted after the scrub read its page of entries
   * but before its turn is skipped (the scrub leases it as a reader does and looks again), not
   * reported as a missing file. The first blob in digest order is damaged; its report deletes
   * the others, mid-scrub.
   */
  @Test
  void scrub_inProcess_blobsDeletedMidScrub_areNotDamage() throws Exception {
    try (Storage s = files()) {
      List<Digest> all = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        all.add(put(s, random(CHUNK * 2, 30 + i)));
      }
      all.sort(java.util.Comparator.comparing(Digest::toString));
      rs(s).corrupt(all.get(0));
      List<ScrubReport.Damage> found = new ArrayList<>();

      ScrubReport report = s.blobs().scrub(d -> {
        found.add(d);
        for (Digest other : all.subList(1, all.size())) {
          try {
            assertThat(s.blobs().delete(other)).isTrue();
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      });

      assertThat(found).extracting(ScrubReport.Damage::digest).containsExactly(all.get(0));
      assertThat(report.blobsChecked()).isEqualTo(1);
      assertThat(rs(s).blobFiles()).isEqualTo(1);
    }
  }

  /**
   * A store written before blob files (layout 2: blob values without the storage byte, bytes in
   * chunks) opens, is restamped layout 3, and serves those blobs next to new file blobs.
   */
  @Test
  void mixedStore_layout2ChunkedBlobsAndNewFileBlobs_readBackByteIdentical() throws Exception {
    List<byte[]> old = List.of(random(CHUNK * 3 + 1, 12), random(100, 13), random(CHUNK, 14));
    List<Digest> oldDigests = new ArrayList<>();
    try (Storage s = chunks()) {
      for (byte[] b : old) {
        oldDigests.add(put(s, b));
      }
      assertThat(rs(s).blobFiles()).isZero();
    }
    asLayout2(dir, oldDigests);

    List<byte[]> fresh = List.of(random(CHUNK * 4 + 3, 15), random(CHUNK * 2, 16));
    List<Digest> freshDigests = new ArrayList<>();
    try (Storage s = files()) {
      for (byte[] b : fresh) {
        freshDigests.add(put(s, b));
      }
      assertThat(rs(s).blobFiles()).isEqualTo(2);
    }
    try (Storage s = files()) {
      for (int i = 0; i < old.size(); i++) {
        assertThat(readAll(s, oldDigests.get(i))).isEqualTo(old.get(i));
      }
      for (int i = 0; i < fresh.size(); i++) {
        assertThat(readAll(s, freshDigests.get(i))).isEqualTo(fresh.get(i));
      }
      assertThat(s.blobs().scrub(x -> { }).clean()).isTrue();
      assertThat(s.stats().blobCount()).isEqualTo(5);
      assertThat(rs(s).blobFiles()).isEqualTo(2);
    }
    try (Storage s = chunks()) { // files off for new writes: file blobs still read
      assertThat(readAll(s, freshDigests.get(0))).isEqualTo(fresh.get(0));
    }
  }

  /** Rewrites the closed store in {@code dir} as layout 2: the stamp, and blob values without their last byte. */
  private static void asLayout2(Path dir, List<Digest> blobs) throws Exception {
    RocksDB.loadLibrary();
    try (org.rocksdb.DBOptions dbo = new org.rocksdb.DBOptions();
        org.rocksdb.ColumnFamilyOptions cfo = new org.rocksdb.ColumnFamilyOptions()) {
      List<org.rocksdb.ColumnFamilyHandle> handles = new ArrayList<>();
      try (RocksDB db = RocksDB.open(dbo, dir.toString(), List.of(
          new org.rocksdb.ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfo),
          new org.rocksdb.ColumnFamilyDescriptor("chunks".getBytes(StandardCharsets.US_ASCII), cfo),
          new org.rocksdb.ColumnFamilyDescriptor("open-writes".getBytes(StandardCharsets.US_ASCII), cfo)), handles)) {
        for (Digest d : blobs) {
          byte[] v = db.get(Keys.blob(d));
          assertThat(v[v.length - 1]).isZero();
          db.put(Keys.blob(d), Arrays.copyOf(v, v.length - 1));
        }
        db.put(Keys.layout(), Values.intValue(2));
        handles.forEach(org.rocksdb.ColumnFamilyHandle::close);
      }
    }
  }

  /** A grouped store (prewarm --data) writes chunks even with blob files on: see RocksStorage's constructor. */
  @Test
  void groupSync_blobFilesOn_writesChunks_haltAfterUnsyncedCommits_reopenFindsEveryBlobWhole() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process p = new ProcessBuilder(java, "-Dcrash.blobFiles=true", "-cp", classpath, GroupedCrashMain.class.getName(),
        dir.toString(), "20").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    List<String> committed = out.lines().filter(l -> l.startsWith("committed "))
        .map(l -> l.substring("committed ".length())).toList();
    assertThat(committed).as(out).hasSize(20);

    try (Storage s = reopen(dir)) {
      for (String d : committed) {
        Digest digest = Digest.sha256(d.substring(d.indexOf(':') + 1));
        assertThat(s.blobs().stat(digest)).as(d).hasValueSatisfying(i -> assertThat(i.size())
            .isEqualTo(GroupedCrashMain.BLOB));
      }
      assertThat(rs(s).blobFiles()).isZero();
      assertThat(rs(s).chunkKeys()).as("20 blobs of two chunks; the half write's are gone").isEqualTo(40);
      assertThat(s.blobs().scrub(damaged -> { }).clean()).isTrue();
    }
  }

  private String runCrash(String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(java, "-Dcrash.blobFiles=true", "-cp", classpath,
        CrashMain.class.getName(), dir.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  private static Storage reopen(Path dir) throws StorageException {
    return RocksStorage.builder().path(dir).build();
  }

  @Test
  void haltMidWrite_fileWrittenNoEntry_reopen_deletesIt() throws Exception {
    String out = runCrash("80");
    assertThat(out).as("the file was being written when the JVM halted").contains("files 1");

    try (Storage s = reopen(dir)) {
      assertThat(rs(s).blobFiles()).isZero();
      assertThat(s.stats().blobCount()).isZero();
    }
  }

  @Test
  void haltAfterChecksPassedBeforeDurable_reopen_noEntryNoFile() throws Exception {
    String out = runCrash("80", "verified");
    assertThat(out).as("halted once the checks passed").contains("files 1").contains("verified sha256:");
    String d = out.substring(out.indexOf("verified sha256:") + "verified sha256:".length()).trim();

    try (Storage s = reopen(dir)) {
      assertThat(s.blobs().stat(Digest.sha256(d))).isEmpty();
      assertThat(rs(s).blobFiles()).isZero();
      assertThat(s.stats().blobCount()).isZero();
    }
  }

  @Test
  void haltRightAfterCommit_reopen_blobWholeAndClean() throws Exception {
    String out = runCrash("80", "committed");
    assertThat(out).contains("committed sha256:");
    String d = out.substring(out.indexOf("committed sha256:") + "committed sha256:".length()).trim();

    try (Storage s = reopen(dir)) {
      BlobInfo info = s.blobs().stat(Digest.sha256(d)).orElseThrow();
      assertThat(info.size()).isEqualTo((64L << 10) * 80 + 100);
      assertThat(rs(s).blobFiles()).isEqualTo(1);
      assertThat(rs(s).chunkKeys()).isZero();
      byte[] expected = new byte[(64 << 10) * 80 + 100];
      new Random(1).nextBytes(expected);
      assertThat(readAll(s, Digest.sha256(d))).isEqualTo(expected);
      assertThat(s.blobs().scrub(x -> { }).clean()).isTrue();
    }
  }
}
