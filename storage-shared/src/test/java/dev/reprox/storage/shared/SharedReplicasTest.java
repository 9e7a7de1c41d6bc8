package dev.reprox.storage.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobNotFoundException;
import dev.reprox.storage.BlobReader;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Pin;
import dev.reprox.storage.StorageException;
import dev.reprox.storage.StorageUnavailableException;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two replicas on one database and one bucket: what only a shared store has to show. */
class SharedReplicasTest {
  static final Instant T = Instant.parse("2024-03-01T12:00:00Z");
  static final int CHUNK = 1 << 16;
  static SharedServers servers;
  static int bucketSeq;

  @TempDir
  Path dir;

  String jdbcUrl;
  String bucket;
  SharedStorage a;
  SharedStorage b;

  @BeforeAll
  static void startServers() {
    servers = SharedServers.start();
  }

  @AfterAll
  static void stopServers() {
    if (servers != null) {
      servers.close();
    }
  }

  @BeforeEach
  void openReplicas() throws Exception {
    jdbcUrl = servers.postgres.newDatabase();
    bucket = "replicas-" + (++bucketSeq);
    a = replica("a").build();
    b = replica("b").build();
  }

  @AfterEach
  void closeReplicas() {
    a.close();
    b.close();
  }

  SharedStorage.Builder replica(String name) {
    return servers.on(jdbcUrl, bucket, dir.resolve(name), Clock.systemUTC(), CHUNK);
  }

  static byte[] random(int size, long seed) {
    byte[] out = new byte[size];
    new Random(seed).nextBytes(out);
    return out;
  }

  static BlobInfo put(SharedStorage s, byte[] data) throws Exception {
    try (BlobWriter w = s.blobs().newWriter()) {
      for (int i = 0; i < data.length; i += 100_000) {
        w.write(ByteBuffer.wrap(data, i, Math.min(100_000, data.length - i)));
      }
      return w.commit(Digest.compute(data), data.length);
    }
  }

  static byte[] readAll(BlobReader r) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
    long pos = 0;
    int n;
    while ((n = r.read(pos, buf.clear())) >= 0) {
      byte[] got = new byte[n];
      buf.flip().get(got);
      out.write(got);
      pos += n;
    }
    return out.toByteArray();
  }

  long rows(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl, servers.postgres.user(), "");
         Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static long files(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  @Test
  void blob_writtenOnOneReplica_isServedByTheOther_fromTheObjectStore() throws Exception {
    byte[] data = random(3 * CHUNK + 77, 1);
    BlobInfo info = put(a, data);
    assertThat(files(dir.resolve("b/blobs"))).isZero();

    try (BlobReader r = b.blobs().open(info.digest())) {
      assertThat(readAll(r)).isEqualTo(data);
    }
    assertThat(b.blobs().stat(info.digest())).contains(info);
    assertThat(files(dir.resolve("b/blobs"))).isEqualTo(1); // b keeps a local copy for the next hit
  }

  @Test
  void largeBlob_goesUpInParts_andReadsBackWhole() throws Exception {
    a.close();
    a = replica("a").multipart(6L << 20, 5L << 20).build();
    byte[] data = random((12 << 20) + 5, 2);

    BlobInfo info = put(a, data);

    try (BlobReader r = b.blobs().open(info.digest())) {
      assertThat(r.size()).isEqualTo(data.length);
      assertThat(readAll(r)).isEqualTo(data);
    }
    assertThat(b.blobs().scrub(d -> { }).clean()).isTrue();
  }

  @Test
  void pins_manyCallersOnTwoReplicas_oneWinnerOneRow() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Pin>> results = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        SharedStorage replica = i % 2 == 0 ? a : b;
        Pin candidate = Pin.at("debian", "dists/bookworm/InRelease", T,
            Digest.compute(new byte[] {(byte) i}), Pin.Status.PROVEN, T);
        results.add(pool.submit(() -> {
          go.await();
          return replica.pins().putIfAbsent(candidate, T);
        }));
      }
      go.countDown();
      Set<Pin> answers = new HashSet<>();
      for (Future<Pin> f : results) {
        answers.add(f.get(30, TimeUnit.SECONDS));
      }
      assertThat(answers).hasSize(1);
      assertThat(a.pins().get("debian", "dists/bookworm/InRelease", T)).contains(answers.iterator().next());
      assertThat(b.pins().get("debian", "dists/bookworm/InRelease", T)).contains(answers.iterator().next());
      assertThat(rows("SELECT count(*) FROM pins")).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void delete_onOneReplica_hidesTheOthersLocalCopy() throws Exception {
    byte[] data = random(CHUNK + 3, 3);
    BlobInfo info = put(a, data);
    b.blobs().open(info.digest()).close(); // b now has a local copy

    assertThat(a.blobs().delete(info.digest())).isTrue();

    assertThatThrownBy(() -> b.blobs().open(info.digest())).isInstanceOf(BlobNotFoundException.class);
    assertThat(files(dir.resolve("b/blobs"))).isZero();
  }

  @Test
  void delete_racingACommitOfTheSameContent_leavesRowAndObjectTogether() throws Exception {
    byte[] data = random(CHUNK + 11, 6);
    Digest digest = put(a, data).digest();
    CountDownLatch rowGone = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    // a's delete stops between the row and the object: the window where b's conditional PUT still
    // finds the old object (412) and, unguarded, would insert a row whose object is about to go.
    ((SharedBlobStore) a.blobs()).afterRowDeleted = () -> {
      rowGone.countDown();
      try {
        go.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Boolean> deleted = pool.submit(() -> a.blobs().delete(digest));
      assertThat(rowGone.await(30, TimeUnit.SECONDS)).isTrue();
      Future<BlobInfo> committed = pool.submit(() -> put(b, data));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!committed.isDone() && rows(WAITING_FOR_A_DIGEST_LOCK) == 0) {
        assertThat(System.nanoTime()).as("b's commit neither finished nor waited for the lock").isLessThan(deadline);
        Thread.onSpinWait();
      }
      go.countDown();

      assertThat(deleted.get(30, TimeUnit.SECONDS)).isTrue();
      assertThat(committed.get(30, TimeUnit.SECONDS).digest()).isEqualTo(digest);
    } finally {
      go.countDown();
      pool.shutdownNow();
    }

    assertThat(rows("SELECT count(*) FROM blobs")).isEqualTo(1);
    try (SharedStorage c = replica("c").build(); BlobReader r = c.blobs().open(digest)) {
      assertThat(readAll(r)).isEqualTo(data); // from the bucket: c has no local copy
    }
  }

  static final String WAITING_FOR_A_DIGEST_LOCK = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
      + " AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";

  @Test
  void reclaimSpace_deletesOldObjectsWithoutARow_keepsCataloguedAndRecentOnes() throws Exception {
    byte[] kept = random(1000, 11);
    BlobInfo catalogued = put(a, kept);
    byte[] lost = random(1000, 12);
    Digest orphan = Digest.compute(lost);
    a.uploadWithoutRow(orphan, lost); // as a commit whose row insert failed leaves it

    // Just written: a commit may still be about to insert its row.
    assertThat(a.reclaimSpace()).contains(" 0 orphaned objects");
    assertThat(a.inBucket(orphan)).isTrue();

    Clock later = Clock.offset(Clock.systemUTC(), SharedStorage.ORPHAN_MIN_AGE.plusMinutes(5));
    try (SharedStorage c = replica("c").clock(later).build()) {
      assertThat(c.reclaimSpace()).contains(" 1 orphaned objects");
    }
    assertThat(a.inBucket(orphan)).isFalse();
    assertThat(a.inBucket(catalogued.digest())).isTrue();
    try (BlobReader r = b.blobs().open(catalogued.digest())) {
      assertThat(readAll(r)).isEqualTo(kept);
    }
    // The same content committed again is stored whole, row and object.
    assertThat(put(b, lost).digest()).isEqualTo(orphan);
    assertThat(a.inBucket(orphan)).isTrue();
  }

  @Test
  void localCache_staysWithinItsBound() throws Exception {
    b.close();
    b = servers.on(jdbcUrl, bucket, dir.resolve("b"), Clock.systemUTC(), CHUNK).localCache(dir.resolve("b"), 3L << 20)
        .build();
    List<Digest> digests = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      digests.add(put(a, random(1 << 20, 10 + i)).digest());
    }
    for (Digest d : digests) {
      try (BlobReader r = b.blobs().open(d)) {
        assertThat(Digest.compute(readAll(r))).isEqualTo(d);
      }
    }
    long bytes = 0;
    try (Stream<Path> s = Files.list(dir.resolve("b/blobs"))) {
      for (Path p : s.toList()) {
        bytes += Files.size(p);
      }
    }
    assertThat(bytes).isLessThanOrEqualTo(3L << 20);
    assertThat(b.stats().cacheBytes()).isLessThanOrEqualTo(3L << 20);
  }

  @Test
  void postgresRestart_failsFastWithStorageErrors_thenServesEverythingAgain() throws Exception {
    byte[] data = random(CHUNK + 9, 5);
    BlobInfo info = put(a, data);
    Pin pin = a.pins().putIfAbsent(Pin.at("debian", "r", T, info.digest(), Pin.Status.PROVEN, T), T);

    servers.postgres.stop();
    try {
      long started = System.nanoTime();
      // Unavailable, not broken: the proxy answers 503 naming PostgreSQL.
      assertThatThrownBy(() -> b.blobs().stat(info.digest())).isInstanceOf(StorageUnavailableException.class)
          .hasMessageContaining("database (PostgreSQL) unavailable");
      assertThatThrownBy(() -> b.pins().get("debian", "r", T)).isInstanceOf(StorageUnavailableException.class);
      // The pool gives up within its connection timeout (5 s each): an answer, not a hang.
      assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(30));
    } finally {
      servers.postgres.restart();
    }

    assertThat(b.pins().get("debian", "r", T)).contains(pin);
    try (BlobReader r = b.blobs().open(info.digest())) {
      assertThat(readAll(r)).isEqualTo(data);
    }
  }

  @Test
  void objectStoreRestart_readsAndCommitsFailAsUnavailable_nothingHalfVisible_thenEverythingServedAgain()
      throws Exception {
    byte[] stored = random(3 * CHUNK + 1, 6);
    BlobInfo info = put(a, stored);
    byte[] fresh = random(2 * CHUNK + 5, 7);
    Digest freshDigest = Digest.compute(fresh);

    servers.s3.kill();
    try {
      // b has no local copy: its open needs the object store.
      assertThatThrownBy(() -> b.blobs().open(info.digest())).isInstanceOf(StorageUnavailableException.class)
          .hasMessageContaining("object store (S3) unavailable");
      // Known down: a new write is refused before any byte is taken (a fill answers 503, not a cut).
      assertThatThrownBy(() -> b.blobs().newWriter()).isInstanceOf(StorageUnavailableException.class)
          .hasMessageContaining("object store (S3) unavailable");
      // a, which has not noticed yet, fails at the upload: no row either way.
      assertThatThrownBy(() -> put(a, fresh)).isInstanceOf(StorageUnavailableException.class);
      assertThat(b.blobs().stat(freshDigest)).as("no row for a blob whose upload failed").isEmpty();
    } finally {
      servers.s3.restart();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) { // b probes the store again at most once a second
      try {
        b.blobs().newWriter().close();
        break;
      } catch (StorageUnavailableException e) {
        assertThat(System.nanoTime()).as("b writes again once S3 is back").isLessThan(deadline);
        Thread.sleep(100); // polling a condition with a deadline
      }
    }

    try (BlobReader r = b.blobs().open(info.digest())) {
      assertThat(readAll(r)).isEqualTo(stored);
    }
    put(b, fresh);
    try (BlobReader r = a.blobs().open(freshDigest)) {
      assertThat(readAll(r)).isEqualTo(fresh);
    }
  }

  @Test
  void open_missingBucket_isCreated_andWrongCredentials_failClearly() throws Exception {
    try (SharedStorage c = servers.on(jdbcUrl, "fresh-bucket-" + bucketSeq, dir.resolve("c"), Clock.systemUTC(), CHUNK)
        .build()) {
      assertThat(c.blobs().stat(Digest.compute(new byte[0]))).isEmpty();
      put(c, random(10, 4));
    }
    SharedStorage.Builder wrong = servers.on(jdbcUrl, "other-" + bucketSeq, dir.resolve("d"), Clock.systemUTC(), CHUNK)
        .s3(URI.create(servers.s3.endpoint()), "other-" + bucketSeq, "us-east-1", true, "nobody", "wrong-secret");
    assertThatThrownBy(wrong::build).isInstanceOf(StorageException.class).hasMessageContaining("other-" + bucketSeq)
        .hasMessageContaining("403");
  }
}
