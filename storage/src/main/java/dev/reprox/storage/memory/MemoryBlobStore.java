package dev.reprox.storage.memory;

import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobNotFoundException;
import dev.reprox.storage.BlobReader;
import dev.reprox.storage.BlobStore;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.ScrubReport;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** Committed blobs as immutable chunk arrays in a concurrent map. */
final class MemoryBlobStore implements BlobStore {
  /** Like the RocksDB store, last access is only refreshed when it is this stale. */
  static final Duration ACCESS_GRANULARITY = Duration.ofHours(1);

  /** Commits that found their content already stored, and their bytes (StorageStats). */
  private final java.util.concurrent.atomic.AtomicLong dedupCommits = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong dedupBytes = new java.util.concurrent.atomic.AtomicLong();

  /** One committed blob; the chunk arrays are never written after commit (bar the test hook). */
  static final class Stored {
    final List<byte[]> chunks;
    volatile BlobInfo info;

    Stored(BlobInfo info, List<byte[]> chunks) {
      this.info = info;
      this.chunks = chunks;
    }
  }

  private final Clock clock;
  private final int chunkSize;
  private final ConcurrentHashMap<Digest, Stored> blobs = new ConcurrentHashMap<>();

  MemoryBlobStore(Clock clock, int chunkSize) {
    this.clock = clock;
    this.chunkSize = chunkSize;
  }

  @Override
  public Optional<BlobInfo> stat(Digest digest) {
    Stored s = blobs.get(digest);
    return s == null ? Optional.empty() : Optional.of(s.info);
  }

  @Override
  public BlobReader open(Digest digest) throws BlobNotFoundException {
    Stored s = blobs.get(digest);
    if (s == null) {
      throw new BlobNotFoundException(digest);
    }
    Instant now = clock.instant();
    BlobInfo info = s.info;
    if (info.lastAccess().plus(ACCESS_GRANULARITY).isBefore(now)) {
      s.info = new BlobInfo(info.digest(), info.size(), info.chunkSize(), info.created(), now);
    }
    return new ChunkReader(info.digest(), info.size(), info.chunkSize(), s.chunks);
  }

  @Override
  public BlobWriter newWriter() {
    return new MemoryBlobWriter(this, chunkSize);
  }

  @Override
  public boolean delete(Digest digest) {
    // A reader opened before holds the chunk arrays, so it reads on to the end.
    return blobs.remove(digest) != null;
  }

  @Override
  public void forEach(Visitor visitor) throws java.io.IOException {
    for (Stored s : List.copyOf(blobs.values())) {
      visitor.visit(s.info);
    }
  }

  @Override
  public ScrubReport scrub(Consumer<ScrubReport.Damage> damaged) {
    long checked = 0;
    long bytes = 0;
    long bad = 0;
    for (Stored s : blobs.values()) {
      MessageDigest md = Digest.newHasher();
      long size = 0;
      for (byte[] chunk : s.chunks) {
        md.update(chunk);
        size += chunk.length;
      }
      Digest actual = Digest.of(md.digest());
      BlobInfo info = s.info;
      checked++;
      bytes += size;
      if (!actual.equals(info.digest()) || size != info.size()) {
        bad++;
        damaged.accept(new ScrubReport.Damage(info.digest(),
            "scrub: content hashes to " + actual + " (" + size + " bytes), expected " + info.size() + " bytes"));
      }
    }
    return new ScrubReport(checked, bytes, bad);
  }

  /** Commits the chunks under {@code digest}, or returns the entry already there. */
  BlobInfo commit(Digest digest, long size, List<byte[]> chunks) {
    Instant now = clock.instant();
    Stored fresh = new Stored(new BlobInfo(digest, size, chunkSize, now, now), List.copyOf(chunks));
    Stored existing = blobs.putIfAbsent(digest, fresh);
    if (existing != null) {
      dedupCommits.incrementAndGet();
      dedupBytes.addAndGet(size);
    }
    return existing != null ? existing.info : fresh.info;
  }

  dev.reprox.storage.StorageStats stats() {
    long bytes = 0;
    int count = 0;
    for (Stored s : blobs.values()) {
      count++;
      bytes += s.info.size();
    }
    return new dev.reprox.storage.StorageStats(count, bytes, 0, 0, 0, dedupCommits.get(), dedupBytes.get());
  }

  void corrupt(Digest digest) {
    Stored s = blobs.get(digest);
    if (s == null || s.info.size() == 0) {
      throw new IllegalArgumentException("corrupt: no non-empty blob " + digest);
    }
    s.chunks.get(0)[0] ^= 0x5a;
  }

  /** Positional reads over chunk arrays of equal size (the last may be shorter). */
  static final class ChunkReader implements BlobReader {
    private final Digest digest;
    private final long size;
    private final int chunkSize;
    private final List<byte[]> chunks;

    ChunkReader(Digest digest, long size, int chunkSize, List<byte[]> chunks) {
      this.digest = digest;
      this.size = size;
      this.chunkSize = chunkSize;
      this.chunks = chunks;
    }

    @Override
    public Digest digest() {
      return digest;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public int read(long position, ByteBuffer dst) {
      return copy(chunks, chunkSize, size, position, dst);
    }

    @Override
    public void close() {}
  }

  /** Copies from {@code chunks} at {@code position}, stopping at the chunk edge or {@code limit}. */
  static int copy(List<byte[]> chunks, int chunkSize, long limit, long position, ByteBuffer dst) {
    if (position < 0) {
      throw new IllegalArgumentException("read: negative position " + position);
    }
    if (position >= limit) {
      return -1;
    }
    byte[] chunk = chunks.get((int) (position / chunkSize));
    int offset = (int) (position % chunkSize);
    int n = (int) Math.min(Math.min(dst.remaining(), chunk.length - offset), limit - position);
    dst.put(chunk, offset, n);
    return n;
  }
}
