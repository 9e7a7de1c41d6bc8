package dev.reprox.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What every {@link BlobStore} must do; see {@link StorageContract}. */
public abstract class BlobStoreContract extends StorageContract {
  private final ExecutorService threads = Executors.newCachedThreadPool();

  /** Damages the stored bytes of {@code digest} behind the store's back. */
  protected abstract void corrupt(Storage storage, Digest digest) throws Exception;

  @AfterEach
  void stopThreads() {
    threads.shutdownNow();
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  BlobInfo put(byte[] data) throws Exception {
    try (BlobWriter w = storage.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(data));
      return w.commit(Digest.compute(data), data.length);
    }
  }

  /** Every byte of {@code r}, read in small positional reads. */
  public static byte[] readAll(BlobReader r) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocateDirect(50);
    long pos = 0;
    int n;
    while ((n = r.read(pos, buf.clear())) >= 0) {
      byte[] b = new byte[n];
      buf.flip().get(b);
      out.write(b);
      pos += n;
    }
    return out.toByteArray();
  }

  @Test
  void commit_thenOpen_readsExactBytes() throws Exception {
    byte[] data = random(CHUNK * 5 + 17, 1);
    BlobInfo info = put(data);

    assertThat(info.digest()).isEqualTo(Digest.compute(data));
    assertThat(info.size()).isEqualTo(data.length);
    assertThat(info.created()).isEqualTo(START);
    assertThat(storage.blobs().stat(info.digest())).contains(info);
    try (BlobReader r = storage.blobs().open(info.digest())) {
      assertThat(r.size()).isEqualTo(data.length);
      assertThat(r.digest()).isEqualTo(info.digest());
      assertThat(readAll(r)).isEqualTo(data);
    }
  }

  @Test
  void lend_walksTheBlob_inViewsThatEndAtChunkEdges_andReleaseIsSafeTwiceOver() throws Exception {
    byte[] data = random(CHUNK * 3 + 11, 31);
    BlobInfo info = put(data);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (BlobReader r = storage.blobs().open(info.digest())) {
      for (int pass = 0; pass < 3; pass++) { // later passes may come from a cache
        out.reset();
        long at = 0;
        LentBytes lent;
        while ((lent = r.lend(at, Integer.MAX_VALUE)) != null) {
          ByteBuffer b = lent.buffer();
          assertThat(b.remaining()).isPositive().isLessThanOrEqualTo(CHUNK);
          byte[] chunk = new byte[b.remaining()];
          b.duplicate().get(chunk);
          out.write(chunk);
          at += chunk.length;
          lent.release();
        }
        assertThat(out.toByteArray()).isEqualTo(data);
      }
      LentBytes part = r.lend(CHUNK - 3, 5);
      assertThat(part.buffer().remaining()).isEqualTo(3); // stops at the chunk edge
      byte[] three = new byte[3];
      part.buffer().duplicate().get(three);
      assertThat(three).containsExactly(data[CHUNK - 3], data[CHUNK - 2], data[CHUNK - 1]);
      part.release();
      assertThat(r.lend(data.length, 10)).isNull();
    }
  }

  @Test
  void commit_emptyBlob_readsNothing() throws Exception {
    BlobInfo info = put(new byte[0]);

    assertThat(info.size()).isZero();
    try (BlobReader r = storage.blobs().open(info.digest())) {
      assertThat(r.read(0, ByteBuffer.allocate(10))).isEqualTo(-1);
    }
  }

  @Test
  void commit_withoutExpectations_acceptsContent() throws Exception {
    byte[] data = random(100, 2);
    try (BlobWriter w = storage.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(data));
      assertThat(w.written()).isEqualTo(100);
      assertThat(w.commit(null, -1).digest()).isEqualTo(Digest.compute(data));
    }
  }

  @Test
  void commit_digestMismatch_throwsAndLeavesNothingVisible() throws Exception {
    byte[] data = random(CHUNK * 3, 3);
    Digest wrong = Digest.compute(new byte[] {1});
    try (BlobWriter w = storage.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(data));
      assertThatThrownBy(() -> w.commit(wrong, data.length))
          .isInstanceOfSatisfying(DigestMismatchException.class, e -> {
            assertThat(e.expected()).isEqualTo(wrong);
            assertThat(e.actual()).isEqualTo(Digest.compute(data));
          });
    }
    assertThat(storage.blobs().stat(wrong)).isEmpty();
    assertThat(storage.blobs().stat(Digest.compute(data))).isEmpty();
    assertThatThrownBy(() -> storage.blobs().open(Digest.compute(data))).isInstanceOf(BlobNotFoundException.class);
  }

  @Test
  void commit_sizeMismatch_throwsAndLeavesNothingVisible() throws Exception {
    byte[] data = random(CHUNK * 2 + 1, 4);
    try (BlobWriter w = storage.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(data));
      assertThatThrownBy(() -> w.commit(Digest.compute(data), data.length + 1))
          .isInstanceOf(SizeMismatchException.class)
          .hasMessageContaining(String.valueOf(data.length));
    }
    assertThat(storage.blobs().stat(Digest.compute(data))).isEmpty();
  }

  @Test
  void cancel_leavesNothingVisible() throws Exception {
    byte[] data = random(CHUNK * 2, 5);
    try (BlobWriter w = storage.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(data));
      w.cancel();
      assertThatThrownBy(() -> w.commit(null, -1)).isInstanceOf(StorageException.class);
    }
    assertThat(storage.blobs().stat(Digest.compute(data))).isEmpty();
  }

  @Test
  void close_withoutCommit_leavesNothingVisible() throws Exception {
    byte[] data = random(CHUNK * 2, 6);
    BlobWriter w = storage.blobs().newWriter();
    w.write(ByteBuffer.wrap(data));
    TailReader tail = w.tail();
    w.close();

    assertThat(storage.blobs().stat(Digest.compute(data))).isEmpty();
    assertThatThrownBy(() -> tail.read(0, ByteBuffer.allocate(8))).isInstanceOf(WriteCancelledException.class);
  }

  @Test
  void stats_duplicateCommit_countsDeduplicatedBytes_notAnotherBlob() throws Exception {
    byte[] data = random(CHUNK * 3 + 1, 11);
    put(data);
    put(random(CHUNK, 12));

    put(data);

    StorageStats st = storage.stats();
    assertThat(st.blobCount()).isEqualTo(2);
    assertThat(st.blobBytes()).isEqualTo(data.length + CHUNK);
    assertThat(st.dedupCommits()).isEqualTo(1);
    assertThat(st.dedupBytes()).isEqualTo(data.length);
  }

  @Test
  void commit_duplicateContent_commitsToExistingEntry() throws Exception {
    byte[] data = random(CHUNK * 4 + 3, 7);
    BlobInfo first = put(data);
    clock.advance(Duration.ofMinutes(5));

    BlobInfo second;
    try (BlobWriter w = storage.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(data));
      TailReader tail = w.tail();
      second = w.commit(null, -1);
      assertThat(tail.committed()).isEqualTo(second);
      ByteBuffer all = ByteBuffer.allocate(data.length);
      long pos = 0;
      int n;
      while ((n = tail.read(pos, all)) > 0) {
        pos += n;
      }
      assertThat(all.array()).isEqualTo(data);
    }

    assertThat(second.created()).isEqualTo(first.created());
    assertThat(second.digest()).isEqualTo(first.digest());
    try (BlobReader r = storage.blobs().open(first.digest())) {
      assertThat(readAll(r)).isEqualTo(data);
    }
  }

  @Test
  void commit_sameContentFromTwoWritersAtOnce_oneEntryBothReadable() throws Exception {
    byte[] data = random(CHUNK * 9 + 1, 24);
    CountDownLatch bothWritten = new CountDownLatch(2);
    List<Future<BlobInfo>> commits = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      commits.add(threads.submit(() -> {
        try (BlobWriter w = storage.blobs().newWriter()) {
          w.write(ByteBuffer.wrap(data));
          bothWritten.countDown();
          assertThat(bothWritten.await(10, TimeUnit.SECONDS)).isTrue();
          return w.commit(Digest.compute(data), data.length);
        }
      }));
    }
    BlobInfo a = commits.get(0).get(20, TimeUnit.SECONDS);
    BlobInfo b = commits.get(1).get(20, TimeUnit.SECONDS);

    assertThat(a).isEqualTo(b);
    try (BlobReader r = storage.blobs().open(a.digest())) {
      assertThat(readAll(r)).isEqualTo(data);
    }
  }

  @Test
  void commit_manyWritersAtOnce_sameAndOtherContent_oneEntryPerContent_allReadable() throws Exception {
    byte[] shared = random(CHUNK * 2 + 5, 31);
    List<byte[]> bodies = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      bodies.add(i % 2 == 0 ? shared : random(CHUNK + i, 40 + i)); // 8 writers of one body, 8 others
    }
    CountDownLatch allWritten = new CountDownLatch(bodies.size());
    List<Future<BlobInfo>> commits = new ArrayList<>();
    for (byte[] data : bodies) {
      commits.add(threads.submit(() -> {
        try (BlobWriter w = storage.blobs().newWriter()) {
          w.write(ByteBuffer.wrap(data));
          allWritten.countDown();
          assertThat(allWritten.await(10, TimeUnit.SECONDS)).isTrue();
          return w.commit(Digest.compute(data), data.length);
        }
      }));
    }
    for (int i = 0; i < bodies.size(); i++) {
      BlobInfo info = commits.get(i).get(20, TimeUnit.SECONDS);
      assertThat(info.digest()).isEqualTo(Digest.compute(bodies.get(i)));
      try (BlobReader r = storage.blobs().open(info.digest())) {
        assertThat(readAll(r)).isEqualTo(bodies.get(i));
      }
    }
    StorageStats st = storage.stats();
    assertThat(st.blobCount()).isEqualTo(9);
    assertThat(st.dedupCommits()).isEqualTo(7);
  }

  @Test
  void read_manyThreadsRandomRanges_allExact() throws Exception {
    List<byte[]> blobs = new ArrayList<>();
    List<Digest> digests = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      byte[] data = random(CHUNK * 20 + i, 100 + i);
      blobs.add(data);
      digests.add(put(data).digest());
    }
    List<Future<Integer>> readers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      long seed = t;
      readers.add(threads.submit(() -> {
        Random rnd = new Random(seed);
        int checked = 0;
        for (int i = 0; i < 400; i++) {
          int which = rnd.nextInt(blobs.size());
          byte[] data = blobs.get(which);
          int pos = rnd.nextInt(data.length);
          ByteBuffer dst = rnd.nextBoolean() ? ByteBuffer.allocateDirect(1 + rnd.nextInt(CHUNK * 2))
              : ByteBuffer.allocate(1 + rnd.nextInt(CHUNK * 2));
          try (BlobReader r = storage.blobs().open(digests.get(which))) {
            int n = r.read(pos, dst);
            byte[] got = new byte[n];
            dst.flip().get(got);
            assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(data, pos, pos + n));
            checked += n;
          }
        }
        return checked;
      }));
    }
    for (Future<Integer> f : readers) {
      assertThat(f.get(30, TimeUnit.SECONDS)).isPositive();
    }
  }

  @Test
  void read_rangesAcrossChunkEdges_returnExactSlices() throws Exception {
    byte[] data = random(CHUNK * 6 + 9, 8);
    BlobInfo info = put(data);
    try (BlobReader r = storage.blobs().open(info.digest())) {
      long[][] ranges = {{0, 1}, {CHUNK - 1, 2}, {CHUNK - 3, CHUNK + 6}, {CHUNK, CHUNK}, {2 * CHUNK + 5, 3 * CHUNK},
          {data.length - 1, 1}, {data.length - CHUNK - 4, CHUNK + 4}, {0, data.length}};
      for (long[] range : ranges) {
        ByteBuffer dst = ByteBuffer.allocateDirect((int) range[1]);
        long pos = range[0];
        while (dst.hasRemaining()) {
          int n = r.read(pos, dst);
          assertThat(n).as("read at %d", pos).isPositive().isLessThanOrEqualTo(CHUNK);
          pos += n;
        }
        byte[] got = new byte[(int) range[1]];
        dst.flip().get(got);
        assertThat(got).as("range %d+%d", range[0], range[1])
            .isEqualTo(java.util.Arrays.copyOfRange(data, (int) range[0], (int) (range[0] + range[1])));
      }
      assertThat(r.read(data.length, ByteBuffer.allocate(4))).isEqualTo(-1);
      assertThat(r.read(data.length + 100L, ByteBuffer.allocate(4))).isEqualTo(-1);
      assertThat(r.read(3, ByteBuffer.allocate(0))).isZero();
    }
  }

  @Test
  void read_manySmallWrites_reassembleExactly() throws Exception {
    byte[] data = random(CHUNK * 3 + 30, 9);
    BlobInfo info;
    try (BlobWriter w = storage.blobs().newWriter()) {
      for (int i = 0; i < data.length; i += 7) {
        w.write(ByteBuffer.wrap(data, i, Math.min(7, data.length - i)));
      }
      info = w.commit(Digest.compute(data), data.length);
    }
    try (BlobReader r = storage.blobs().open(info.digest())) {
      assertThat(readAll(r)).isEqualTo(data);
    }
  }

  @Test
  void open_absent_throwsNotFound() throws Exception {
    Digest absent = digestOf(404);
    assertThatThrownBy(() -> storage.blobs().open(absent))
        .isInstanceOfSatisfying(BlobNotFoundException.class, e -> assertThat(e.digest()).isEqualTo(absent));
    assertThat(storage.blobs().stat(digestOf(404)).isEmpty()).isTrue();
  }

  @Test
  void delete_removesBlob_andAbsentReturnsFalse() throws Exception {
    BlobInfo info = put(random(CHUNK * 2 + 1, 10));

    assertThat(storage.blobs().delete(info.digest())).isTrue();
    assertThat(storage.blobs().stat(info.digest())).isEmpty();
    assertThatThrownBy(() -> storage.blobs().open(info.digest())).isInstanceOf(BlobNotFoundException.class);
    assertThat(storage.blobs().delete(info.digest())).isFalse();
  }

  @Test
  void delete_thenWriteAgain_readsBack() throws Exception {
    byte[] data = random(CHUNK * 2 + 1, 11);
    BlobInfo info = put(data);
    storage.blobs().delete(info.digest());
    put(data);
    try (BlobReader r = storage.blobs().open(info.digest())) {
      assertThat(readAll(r)).isEqualTo(data);
    }
  }

  @Test
  void open_lastAccess_updatedAtMostHourly() throws Exception {
    BlobInfo info = put(random(10, 12));
    clock.advance(Duration.ofMinutes(30));
    storage.blobs().open(info.digest()).close();
    assertThat(storage.blobs().stat(info.digest()).orElseThrow().lastAccess()).isEqualTo(START);

    clock.advance(Duration.ofMinutes(31));
    storage.blobs().open(info.digest()).close();
    assertThat(storage.blobs().stat(info.digest()).orElseThrow().lastAccess())
        .isEqualTo(START.plus(Duration.ofMinutes(61)));
  }

  @Test
  void tail_seesBytesAsSoonAsWriteReturns() throws Exception {
    try (BlobWriter w = storage.blobs().newWriter(); TailReader tail = w.tail()) {
      assertThat(tail.read(0, ByteBuffer.allocate(10))).isZero();
      CompletableFuture<Long> waiting = tail.whenReadable(0);
      assertThat(waiting).isNotDone();

      w.write(ByteBuffer.wrap(random(CHUNK + 10, 13)));

      assertThat(waiting).isCompletedWithValue((long) CHUNK + 10);
      ByteBuffer dst = ByteBuffer.allocate(CHUNK * 2);
      int n1 = tail.read(0, dst);
      int n2 = tail.read(n1, dst);
      assertThat(n1 + n2).isEqualTo(CHUNK + 10);
      assertThat(tail.read(CHUNK + 10, dst)).isZero();
      assertThat(tail.committed()).isNull();

      BlobInfo info = w.commit(null, -1);
      assertThat(tail.committed()).isEqualTo(info);
      assertThat(tail.read(CHUNK + 10, dst)).isEqualTo(-1);
      assertThat(tail.whenReadable(CHUNK + 10)).isCompletedWithValue((long) CHUNK + 10);
    }
  }

  @Test
  void commit_beforeTails_runsAfterTheCommitAndBeforeTailsSeeTheEnd() throws Exception {
    byte[] data = random(CHUNK + 5, 15);
    try (BlobWriter w = storage.blobs().newWriter(); TailReader tail = w.tail()) {
      w.write(ByteBuffer.wrap(data));
      CompletableFuture<Long> end = tail.whenReadable(data.length);
      List<String> seen = new java.util.ArrayList<>();

      BlobInfo info = w.commit(Digest.compute(data), data.length, committed -> {
        // Visible to readers of the store already, but not yet to the tails: aliases go in here.
        seen.add("stat " + storage.blobs().stat(committed.digest()).isPresent());
        seen.add("tail end " + end.isDone() + ", committed " + (tail.committed() != null));
      });

      assertThat(seen).containsExactly("stat true", "tail end false, committed false");
      assertThat(tail.committed()).isEqualTo(info);
      assertThat(end).isDone();
    }
  }

  @Test
  void commit_beforeTailsFails_thrownAfterTailsReleased_blobStaysCommitted() throws Exception {
    byte[] data = random(100, 16);
    try (BlobWriter w = storage.blobs().newWriter(); TailReader tail = w.tail()) {
      w.write(ByteBuffer.wrap(data));

      assertThatThrownBy(() -> w.commit(null, -1, committed -> {
        throw new java.io.IOException("alias store down");
      })).hasMessageContaining("alias store down");

      assertThat(tail.committed()).isNotNull();
      assertThat(storage.blobs().stat(Digest.compute(data))).isPresent();
    }
  }

  @Test
  void tail_twoReadersOnOtherThreads_bothReadExactCommittedBytes() throws Exception {
    byte[] data = random(CHUNK * 40 + 11, 14);
    int half = data.length / 2;
    BlobWriter w = storage.blobs().newWriter();
    TailReader t1 = w.tail();
    TailReader t2 = w.tail();
    CountDownLatch halfRead = new CountDownLatch(2);
    Future<byte[]> r1 = threads.submit(() -> follow(t1, half, halfRead));
    Future<byte[]> r2 = threads.submit(() -> follow(t2, half, halfRead));
    Future<BlobInfo> writer = threads.submit(() -> {
      Random rnd = new Random(15);
      int pos = 0;
      while (pos < data.length) {
        if (pos >= half && halfRead.getCount() > 0) {
          // Both readers must have read the first half before the write goes on: they tail.
          assertThat(halfRead.await(10, TimeUnit.SECONDS)).isTrue();
        }
        int n = Math.min(1 + rnd.nextInt(CHUNK + 20), data.length - pos);
        if (pos < half) {
          n = Math.min(n, half - pos);
        }
        w.write(ByteBuffer.wrap(data, pos, n));
        pos += n;
      }
      return w.commit(Digest.compute(data), data.length);
    });

    BlobInfo info = writer.get(20, TimeUnit.SECONDS);
    assertThat(r1.get(20, TimeUnit.SECONDS)).isEqualTo(data);
    assertThat(r2.get(20, TimeUnit.SECONDS)).isEqualTo(data);
    assertThat(info.size()).isEqualTo(data.length);
    w.close();
  }

  /** Reads a tail to its end, counting down {@code halfRead} once {@code half} bytes are in. */
  private static byte[] follow(TailReader tail, int half, CountDownLatch halfRead) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocateDirect(37);
    long pos = 0;
    boolean counted = false;
    while (true) {
      int n = tail.read(pos, buf.clear());
      if (n < 0) {
        return out.toByteArray();
      }
      if (n == 0) {
        tail.whenReadable(pos).get(10, TimeUnit.SECONDS);
        continue;
      }
      byte[] b = new byte[n];
      buf.flip().get(b);
      out.write(b);
      pos += n;
      if (!counted && pos >= half) {
        counted = true;
        halfRead.countDown();
      }
    }
  }

  @Test
  void tail_cancelledWrite_wakesWaitingReadersWithError() throws Exception {
    BlobWriter w = storage.blobs().newWriter();
    w.write(ByteBuffer.wrap(random(CHUNK + 5, 16)));
    TailReader t1 = w.tail();
    TailReader t2 = w.tail();
    CompletableFuture<Long> f1 = t1.whenReadable(CHUNK + 5);
    CompletableFuture<Long> f2 = t2.whenReadable(CHUNK + 5);
    assertThat(f1).isNotDone();

    threads.submit(w::cancel).get(10, TimeUnit.SECONDS);

    for (CompletableFuture<Long> f : List.of(f1, f2)) {
      assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(WriteCancelledException.class);
    }
    assertThatThrownBy(() -> t1.read(0, ByteBuffer.allocate(4))).isInstanceOf(WriteCancelledException.class);
    assertThatThrownBy(() -> t2.whenReadable(0).join()).hasCauseInstanceOf(WriteCancelledException.class);
  }

  @Test
  void tail_failedCommit_wakesWaitingReadersWithError() throws Exception {
    BlobWriter w = storage.blobs().newWriter();
    w.write(ByteBuffer.wrap(random(10, 17)));
    TailReader tail = w.tail();
    CompletableFuture<Long> waiting = tail.whenReadable(10);

    assertThatThrownBy(() -> w.commit(digestOf(1), -1)).isInstanceOf(DigestMismatchException.class);

    assertThat(waiting).isCompletedExceptionally();
    assertThatThrownBy(waiting::join).hasCauseInstanceOf(WriteCancelledException.class);
    assertThatThrownBy(() -> tail.read(0, ByteBuffer.allocate(4))).isInstanceOf(WriteCancelledException.class);
  }

  @Test
  void tail_callbackWritingBack_doesNotDeadlock() throws Exception {
    // A tail's continuation may run on the writer thread; it must not find a lock held.
    BlobWriter w = storage.blobs().newWriter();
    TailReader tail = w.tail();
    List<Integer> seen = new ArrayList<>();
    tail.whenReadable(0).thenRun(() -> {
      try {
        seen.add(tail.read(0, ByteBuffer.allocate(100)));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    threads.submit(() -> {
      w.write(ByteBuffer.wrap(random(20, 18)));
      return null;
    }).get(10, TimeUnit.SECONDS);
    assertThat(seen).containsExactly(20);
    w.close();
  }

  @Test
  void write_afterCommit_throws() throws Exception {
    try (BlobWriter w = storage.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(random(5, 19)));
      w.commit(null, -1);
      assertThatThrownBy(() -> w.write(ByteBuffer.allocate(1))).isInstanceOf(StorageException.class)
          .hasMessageContaining("write");
    }
  }

  @Test
  void scrub_cleanStore_reportsNoDamage() throws Exception {
    put(random(CHUNK * 3, 20));
    put(random(7, 21));
    List<ScrubReport.Damage> damage = new ArrayList<>();

    ScrubReport report = storage.blobs().scrub(damage::add);

    assertThat(report.blobsChecked()).isEqualTo(2);
    assertThat(report.bytesChecked()).isEqualTo(CHUNK * 3 + 7);
    assertThat(report.clean()).isTrue();
    assertThat(damage).isEmpty();
  }

  @Test
  void scrub_corruptedChunk_reportsDamagedBlob() throws Exception {
    BlobInfo good = put(random(CHUNK * 3, 22));
    BlobInfo bad = put(random(CHUNK * 2 + 5, 23));
    corrupt(storage, bad.digest());
    List<ScrubReport.Damage> damage = new ArrayList<>();

    ScrubReport report = storage.blobs().scrub(damage::add);

    assertThat(report.damagedBlobs()).isEqualTo(1);
    assertThat(report.clean()).isFalse();
    assertThat(damage).extracting(ScrubReport.Damage::digest).containsExactly(bad.digest());
    assertThat(damage.get(0).reason()).isNotBlank();
    assertThat(good.digest()).isNotEqualTo(bad.digest());
  }

  @Test
  void delete_whileAReaderIsOpen_readerReadsTheWholeBlob_newOpensFindNothing() throws Exception {
    byte[] data = random(CHUNK * 7 + 5, 41);
    BlobInfo info = put(data);
    try (BlobReader r = storage.blobs().open(info.digest())) {
      ByteBuffer first = ByteBuffer.allocate(CHUNK);
      assertThat(r.read(0, first)).isEqualTo(CHUNK);

      assertThat(storage.blobs().delete(info.digest())).isTrue();

      assertThat(storage.blobs().stat(info.digest())).isEmpty();
      assertThatThrownBy(() -> storage.blobs().open(info.digest())).isInstanceOf(BlobNotFoundException.class);
      assertThat(readAll(r)).isEqualTo(data);
    }
  }

  @Test
  void forEach_visitsEveryCommittedBlob_notDeletedOnes() throws Exception {
    List<BlobInfo> kept = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      kept.add(put(random(CHUNK * i + 3, 50 + i)));
    }
    BlobInfo gone = put(random(CHUNK, 99));
    storage.blobs().delete(gone.digest());

    List<BlobInfo> seen = new ArrayList<>();
    storage.blobs().forEach(seen::add);

    assertThat(seen).extracting(BlobInfo::digest)
        .containsExactlyInAnyOrderElementsOf(kept.stream().map(BlobInfo::digest).toList());
  }
}
