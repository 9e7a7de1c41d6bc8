package dev.reprox.storage.shared;

import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobNotFoundException;
import dev.reprox.storage.BlobReader;
import dev.reprox.storage.BlobStore;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.DigestMismatchException;
import dev.reprox.storage.ScrubReport;
import dev.reprox.storage.StorageException;
import dev.reprox.storage.StorageStats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Blobs shared by every replica: the bytes in the object store, the catalogue row in PostgreSQL,
 * a verified copy in this replica's {@link LocalCache}. A blob is visible once its row exists, and
 * the row is written only after the verified bytes were uploaded; readers are served from the local
 * copy, which a cache miss fills from the object store (checked against the digest on the way in,
 * one download per blob at a time on this replica).
 */
final class SharedBlobStore implements BlobStore {
  /** As the RocksDB store: last access is rewritten at most hourly, so hot reads do not write. */
  static final Duration ACCESS_GRANULARITY = Duration.ofHours(1);
  /** Catalogue rows per query when scrub and forEach page through it. */
  private static final int SCRUB_PAGE = 500;

  private final Db db;
  private final S3Objects s3;
  private final LocalCache cache;
  private final HotChunks hot;
  private final Clock clock;
  private final int chunkSize;
  private final ConcurrentHashMap<Digest, CompletableFuture<Void>> fills = new ConcurrentHashMap<>();
  private final AtomicLong dedupCommits = new AtomicLong();
  private final AtomicLong dedupBytes = new AtomicLong();
  /** Test seam: runs in {@link #delete} between the row's removal and the object's. */
  volatile Runnable afterRowDeleted = () -> { };

  SharedBlobStore(Db db, S3Objects s3, LocalCache cache, Clock clock, int chunkSize, long hotCacheBytes) {
    this.hot = new HotChunks(hotCacheBytes, chunkSize);
    this.db = db;
    this.s3 = s3;
    this.cache = cache;
    this.clock = clock;
    this.chunkSize = chunkSize;
  }

  @Override
  public Optional<BlobInfo> stat(Digest digest) throws StorageException {
    return Optional.ofNullable(db.one("stat", "SELECT size, chunk_size, created_ns, last_access_ns FROM blobs"
        + " WHERE digest = ?", ps -> ps.setBytes(1, digest.bytes()), rs -> info(digest, rs)));
  }

  @Override
  public BlobReader open(Digest digest) throws IOException {
    BlobInfo info = stat(digest).orElse(null);
    if (info == null) {
      cache.remove(digest); // deleted by some replica: this copy must not outlive the row
      throw new BlobNotFoundException(digest);
    }
    Instant now = clock.instant();
    if (info.lastAccess().plus(ACCESS_GRANULARITY).isBefore(now)) {
      db.update("open: touch", "UPDATE blobs SET last_access_ns = ? WHERE digest = ? AND last_access_ns < ?", ps -> {
        ps.setBigDecimal(1, Db.nanos(now));
        ps.setBytes(2, digest.bytes());
        ps.setBigDecimal(3, Db.nanos(now));
      });
    }
    FileChannel local = cache.open(digest);
    for (int attempt = 0; local == null; attempt++) {
      if (attempt == 3) {
        throw new StorageException("open " + digest + ": the local copy was evicted three times while it was being"
            + " filled (is local-cache.max-size too small for the traffic?)");
      }
      try {
        local = fill(info);
      } catch (StorageException e) {
        // A delete (reprox gc on any replica) removes the row, then the object: a fill that lost the
        // object to it is an open of a deleted blob, not a broken store.
        if (stat(digest).isEmpty()) {
          cache.remove(digest);
          throw new BlobNotFoundException(digest);
        }
        throw e;
      }
    }
    return new FileBlobReader(digest, info.size(), info.chunkSize(), local, hot);
  }

  /**
   * Brings {@code info}'s blob into the local cache from the object store, one download at a time
   * on this replica, and returns it open; null when another caller's copy was evicted before we
   * could open it (the caller tries again).
   */
  private FileChannel fill(BlobInfo info) throws IOException {
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> running = fills.putIfAbsent(info.digest(), mine);
    if (running != null) {
      try {
        running.get();
        return cache.open(info.digest());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StorageException("open " + info.digest() + ": interrupted waiting for the local copy");
      } catch (ExecutionException e) {
        throw e.getCause() instanceof IOException io ? io : new StorageException("open " + info.digest(), e);
      }
    }
    try (InputStream in = s3.get(info.digest())) {
      if (in == null) {
        throw new StorageException("open " + info.digest() + ": catalogued but missing from the object store");
      }
      FileChannel copy = cache.fill(info.digest(), info.size(), in);
      mine.complete(null);
      return copy;
    } catch (DigestMismatchException e) {
      StorageException damaged = new StorageException("open " + info.digest() + ": the object store's copy is damaged"
          + " (hashes to " + e.actual() + "); run reprox verify", e);
      mine.completeExceptionally(damaged);
      throw damaged;
    } catch (IOException | RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      fills.remove(info.digest(), mine);
    }
  }

  /**
   * Refused at once while the object store is known to be down: the commit's upload would fail,
   * and a fill refused now is a 503, where one refused at commit is a response cut short.
   */
  @Override
  public BlobWriter newWriter() throws StorageException {
    s3.checkReachable();
    return new SharedBlobWriter(this, cache.newTemp(), chunkSize);
  }

  /**
   * Makes the verified file {@code temp} the blob {@code digest}: uploads it unless the catalogue
   * has it, inserts the row if absent, and reads the row back in a separate statement (the
   * winner's, when another writer got there first).
   *
   * <p>The upload runs outside any lock (it may take minutes). A delete of the same content may
   * race it: the conditional PUT can find the old object (412) just before the delete takes it, or
   * the delete can take the object we wrote. So the row is inserted under the digest's lock, which
   * {@link #delete} holds from removing the row until the object is gone, after checking that the
   * object is there (uploading it again when it is not): a row never outlives its object.
   */
  BlobInfo commit(Path temp, Digest digest, long size) throws IOException {
    BlobInfo existing = stat(digest).orElse(null);
    if (existing == null) {
      s3.upload(digest, temp, size);
      Instant now = clock.instant();
      int inserted = locked("commit", digest, c -> {
        if (!s3.exists(digest)) {
          s3.upload(digest, temp, size);
        }
        return Db.update(c, "INSERT INTO blobs (digest, size, chunk_size, created_ns, last_access_ns)"
            + " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", ps -> {
              ps.setBytes(1, digest.bytes());
              ps.setLong(2, size);
              ps.setInt(3, chunkSize);
              ps.setBigDecimal(4, Db.nanos(now));
              ps.setBigDecimal(5, Db.nanos(now));
            });
      });
      if (inserted == 0) {
        countDedup(size);
      }
      existing = stat(digest).orElseThrow(
          () -> new StorageException("commit " + digest + ": row gone right after it was written (deleted meanwhile?)"));
    } else {
      countDedup(size);
    }
    cache.adopt(temp, digest, size);
    return existing;
  }

  private void countDedup(long size) {
    dedupCommits.incrementAndGet();
    dedupBytes.addAndGet(size);
  }

  /**
   * Removes the row (new opens on every replica find nothing from then on), then the object, then
   * this replica's copy, all under the digest's lock so that a commit of the same content cannot
   * insert a row between the two (see {@link #commit}). Readers already open keep reading: each one
   * reads a local file it holds open, whose name going does not take its bytes (POSIX), and no
   * reader is handed out before its whole blob is local. Other replicas drop their copy at their
   * next open of the digest, which finds no row.
   */
  @Override
  public boolean delete(Digest digest) throws StorageException {
    BlobInfo info = stat(digest).orElse(null);
    boolean deleted = locked("delete", digest, c -> {
      if (Db.update(c, "DELETE FROM blobs WHERE digest = ?", ps -> ps.setBytes(1, digest.bytes())) == 0) {
        return false;
      }
      afterRowDeleted.run();
      s3.delete(digest);
      return true;
    });
    cache.remove(digest);
    if (info != null) {
      hot.invalidate(digest, info.size(), info.chunkSize());
    }
    return deleted;
  }

  /**
   * Runs {@code work} holding the session-level advisory lock of {@code digest} (one bigint key
   * space, apart from the pins' two-int keys), autocommit on so its statements are seen at once.
   * A connection that dies while holding it releases it with the session.
   */
  private <T> T locked(String op, Digest digest, Db.Work<T> work) throws StorageException {
    long key = ByteBuffer.wrap(digest.bytes()).getLong();
    return db.call(op, c -> {
      Db.one(c, "SELECT pg_advisory_lock(?)", ps -> ps.setLong(1, key), rs -> null);
      try {
        return work.run(c);
      } finally {
        Db.one(c, "SELECT pg_advisory_unlock(?)", ps -> ps.setLong(1, key), rs -> null);
      }
    });
  }

  /**
   * Deletes the objects no catalogue row names that were written more than {@code minAge} ago: an
   * upload whose row insert failed (PostgreSQL went away between the two) leaves one, whole and
   * verified but invisible, and nothing else would ever remove it. Each goes under its digest's
   * lock after the row is checked again, as in {@link #delete}: a commit of the same content inserts
   * its row under that lock only after seeing the object there (uploading it again when it is gone),
   * so this can never leave a row without its object. {@code minAge} spares the uploads of commits
   * still running (deleting one would only cost it a second upload). Returns how many went.
   */
  long deleteOrphans(Duration minAge) throws StorageException {
    Instant before = clock.instant().minus(minAge);
    List<Digest> candidates = new java.util.ArrayList<>();
    s3.forEachObject(o -> {
      if (o.lastModified() != null && o.lastModified().isBefore(before)) {
        candidates.add(o.digest());
      }
    });
    long deleted = 0;
    for (Digest d : candidates) {
      if (stat(d).isPresent()) {
        continue;
      }
      boolean gone = locked("delete orphan", d, c -> {
        if (Db.one(c, "SELECT 1 FROM blobs WHERE digest = ?", ps -> ps.setBytes(1, d.bytes()), rs -> 1) != null) {
          return false; // committed meanwhile
        }
        s3.delete(d);
        return true;
      });
      if (gone) {
        deleted++;
      }
    }
    return deleted;
  }

  /** Pages through the catalogue by digest, so no transaction stays open while the visitor works. */
  @Override
  public void forEach(Visitor visitor) throws IOException {
    byte[] after = new byte[0];
    while (true) {
      byte[] from = after;
      List<BlobInfo> page = db.list("forEach", "SELECT digest, size, chunk_size, created_ns, last_access_ns FROM blobs"
          + " WHERE digest > ? ORDER BY digest LIMIT " + SCRUB_PAGE, ps -> ps.setBytes(1, from),
          rs -> new BlobInfo(Db.digest(rs.getBytes(1)), rs.getLong(2), rs.getInt(3), Db.instant(rs.getBigDecimal(4)),
              Db.instant(rs.getBigDecimal(5))));
      for (BlobInfo b : page) {
        visitor.visit(b);
      }
      if (page.size() < SCRUB_PAGE) {
        return;
      }
      after = page.get(page.size() - 1).digest().bytes();
    }
  }

  @Override
  public ScrubReport scrub(Consumer<ScrubReport.Damage> damaged) throws IOException {
    long blobs = 0;
    long bytes = 0;
    long bad = 0;
    byte[] after = new byte[0];
    while (true) {
      byte[] from = after;
      List<BlobInfo> page = db.list("scrub", "SELECT digest, size FROM blobs WHERE digest > ? ORDER BY digest LIMIT "
          + SCRUB_PAGE, ps -> ps.setBytes(1, from),
          rs -> new BlobInfo(Db.digest(rs.getBytes(1)), rs.getLong(2), 0, Instant.EPOCH, Instant.EPOCH));
      if (page.isEmpty()) {
        break;
      }
      for (BlobInfo b : page) {
        blobs++;
        String reason = check(b);
        if (reason != null) {
          bad++;
          damaged.accept(new ScrubReport.Damage(b.digest(), reason));
        } else {
          bytes += b.size();
        }
      }
      after = page.get(page.size() - 1).digest().bytes();
    }
    return new ScrubReport(blobs, bytes, bad);
  }

  /** Re-reads the object store's copy: null when it is whole, else what is wrong. */
  private String check(BlobInfo b) {
    try (InputStream in = s3.get(b.digest())) {
      if (in == null) {
        return "missing from the object store";
      }
      MessageDigest hasher = Digest.newHasher();
      byte[] buf = new byte[1 << 16];
      long total = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        hasher.update(buf, 0, n);
        total += n;
      }
      Digest actual = Digest.of(hasher.digest());
      if (total != b.size()) {
        return "object store copy has " + total + " bytes, expected " + b.size();
      }
      return actual.equals(b.digest()) ? null : "object store copy hashes to " + actual;
    } catch (IOException e) {
      return "read failed: " + e.getMessage();
    }
  }

  StorageStats stats() throws StorageException {
    long[] counts = db.one("stats", "SELECT count(*), coalesce(sum(size), 0) FROM blobs", ps -> { },
        rs -> new long[] {rs.getLong(1), rs.getLong(2)});
    return new StorageStats(counts[0], counts[1], 0, 0, cache.bytes(), dedupCommits.get(), dedupBytes.get());
  }

  /** Test hook: an object in the bucket without a row (an upload whose row insert failed). */
  void uploadWithoutRow(Digest digest, byte[] bytes) {
    s3.overwrite(digest, bytes);
  }

  /** Test hook: whether the bucket holds {@code digest}'s object. */
  boolean inBucket(Digest digest) throws StorageException {
    return s3.exists(digest);
  }

  /** Test hook: damages the object store's copy and drops this replica's. */
  void corrupt(Digest digest, byte[] bytes) {
    cache.remove(digest);
    s3.overwrite(digest, bytes);
  }

  private static BlobInfo info(Digest digest, ResultSet rs) throws SQLException {
    return new BlobInfo(digest, rs.getLong(1), rs.getInt(2), Db.instant(rs.getBigDecimal(3)),
        Db.instant(rs.getBigDecimal(4)));
  }
}
