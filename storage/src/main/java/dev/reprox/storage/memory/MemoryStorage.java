package dev.reprox.storage.memory;

import dev.reprox.storage.Aliases;
import dev.reprox.storage.BlobStore;
import dev.reprox.storage.Observations;
import dev.reprox.storage.PathIndex;
import dev.reprox.storage.Pins;
import dev.reprox.storage.BuildRecords;
import dev.reprox.storage.Refs;
import dev.reprox.storage.Storage;
import java.time.Clock;
import java.util.Objects;

/**
 * A {@link Storage} held in the heap: {@code MemoryStorage.builder().clock(clock).build()}.
 * Blobs are kept in chunks of {@link Builder#chunkSize} bytes, like the RocksDB store, so
 * positional reads cross chunk edges the same way.
 */
public final class MemoryStorage implements Storage {
  private final MemoryBlobStore blobs;
  private final MemoryAliases aliases = new MemoryAliases();
  private final MemoryObservations observations = new MemoryObservations();
  private final MemoryPins pins = new MemoryPins();
  private final MemoryPathIndex paths = new MemoryPathIndex();
  private final MemoryRefs refs = new MemoryRefs();
  private final MemoryBuildRecords builds = new MemoryBuildRecords();

  private MemoryStorage(Builder b) {
    this.blobs = new MemoryBlobStore(b.clock, b.chunkSize);
  }

  public static Builder builder() {
    return new Builder();
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
  public dev.reprox.storage.StorageStats stats() {
    return blobs.stats();
  }

  @Override
  public void close() {
    // Nothing to release: the heap is the store.
  }

  /** Test hook: flips one byte of the first chunk so {@code scrub} has something to find. */
  void corrupt(dev.reprox.storage.Digest digest) {
    blobs.corrupt(digest);
  }

  /** Builds a {@link MemoryStorage}; defaults: system UTC clock, 1 MiB chunks. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private int chunkSize = 1 << 20;

    private Builder() {}

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder chunkSize(int chunkSize) {
      if (chunkSize <= 0) {
        throw new IllegalArgumentException("memory storage: chunkSize must be positive, got " + chunkSize);
      }
      this.chunkSize = chunkSize;
      return this;
    }

    public Storage build() {
      return new MemoryStorage(this);
    }
  }
}
