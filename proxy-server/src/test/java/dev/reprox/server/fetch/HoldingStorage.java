package dev.reprox.server.fetch;

import dev.reprox.storage.Aliases;
import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobReader;
import dev.reprox.storage.BlobStore;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Observations;
import dev.reprox.storage.PathEntry;
import dev.reprox.storage.PathIndex;
import dev.reprox.storage.Pins;
import dev.reprox.storage.BuildRecords;
import dev.reprox.storage.Refs;
import dev.reprox.storage.ScrubReport;
import dev.reprox.storage.Storage;
import dev.reprox.storage.TailReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@link Storage} whose blob commits and listing indexing can be held at the door until the
 * test opens a {@link Gate}: races become sequences the test writes down, without sleeps.
 */
final class HoldingStorage implements Storage {
  /** Held callers count {@code entered} down, then wait (at most 30 s) for {@link #open}. */
  static final class Gate {
    final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch opened = new CountDownLatch(1);

    void open() {
      opened.countDown();
    }

    boolean awaitEntered() throws InterruptedException {
      return entered.await(30, TimeUnit.SECONDS);
    }

    private void pass() throws IOException {
      entered.countDown();
      try {
        if (!opened.await(30, TimeUnit.SECONDS)) {
          throw new IOException("gate never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted at the gate", e);
      }
    }
  }

  private final Storage d;
  private final Map<Digest, Gate> commits = new ConcurrentHashMap<>();
  private final Map<Digest, Gate> listings = new ConcurrentHashMap<>();
  private final Map<Digest, Gate> parsed = new ConcurrentHashMap<>();
  private final Map<Digest, Gate> durables = new ConcurrentHashMap<>();
  private final java.util.Set<Digest> failing = ConcurrentHashMap.newKeySet();

  HoldingStorage(Storage d) {
    this.d = d;
  }

  /**
   * Holds the commit of the blob {@code digest} after its checks passed and its caller was told
   * ({@link BlobWriter.Verified}), before the store makes it durable.
   */
  Gate holdDurable(Digest digest) {
    return durables.computeIfAbsent(digest, k -> new Gate());
  }

  /** Fails the commit of the blob {@code digest} after its checks passed, as a failed flush would. */
  void failDurable(Digest digest) {
    failing.add(digest);
  }

  /** Holds the commit of the blob expected to be {@code digest}. */
  Gate holdCommit(Digest digest) {
    return commits.computeIfAbsent(digest, k -> new Gate());
  }

  /**
   * Holds the commit of the listing {@code digest}'s path index after its entries are all parsed
   * (and the parser's waiters told): the listing is read, not yet indexed.
   */
  Gate holdIndexCommit(Digest digest) {
    return parsed.computeIfAbsent(digest, k -> new Gate());
  }

  /** Holds {@code putListing} of the listing {@code digest}. */
  Gate holdIndexing(Digest digest) {
    return listings.computeIfAbsent(digest, k -> new Gate());
  }

  private final BlobStore blobs = new BlobStore() {
    @Override
    public Optional<BlobInfo> stat(Digest digest) throws IOException {
      return d.blobs().stat(digest);
    }

    @Override
    public BlobReader open(Digest digest) throws IOException {
      return d.blobs().open(digest);
    }

    @Override
    public BlobWriter newWriter() throws IOException {
      BlobWriter w = d.blobs().newWriter();
      return new BlobWriter() {
        @Override
        public void write(ByteBuffer src) throws IOException {
          w.write(src);
        }

        @Override
        public long written() {
          return w.written();
        }

        @Override
        public BlobInfo commit(Digest expected, long expectedSize, Committed beforeTails) throws IOException {
          return commit(expected, expectedSize, Verified.NONE, beforeTails);
        }

        @Override
        public BlobInfo commit(Digest expected, long expectedSize, Verified verified, Committed beforeTails)
            throws IOException {
          Gate gate = expected == null ? null : commits.get(expected);
          if (gate != null) {
            gate.pass();
          }
          return w.commit(expected, expectedSize, (digest, size) -> {
            verified.accept(digest, size);
            Gate durable = durables.get(digest);
            try {
              if (durable != null) {
                durable.pass();
              }
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
            if (failing.contains(digest)) {
              throw new IllegalStateException("flush failed (test)");
            }
          }, beforeTails);
        }

        @Override
        public void cancel() {
          w.cancel();
        }

        @Override
        public TailReader tail() {
          return w.tail();
        }

        @Override
        public void close() {
          w.close();
        }
      };
    }

    @Override
    public boolean delete(Digest digest) throws IOException {
      return d.blobs().delete(digest);
    }

    @Override
    public void forEach(Visitor visitor) throws IOException {
      d.blobs().forEach(visitor);
    }

    @Override
    public ScrubReport scrub(Consumer<ScrubReport.Damage> damaged) throws IOException {
      return d.blobs().scrub(damaged);
    }
  };

  private final PathIndex paths = new PathIndex() {
    @Override
    public boolean isIndexed(String repo, Digest listing) throws IOException {
      return d.paths().isIndexed(repo, listing);
    }

    @Override
    public void putListing(String repo, Digest listing, Iterable<PathEntry> entries) throws IOException {
      Gate gate = listings.get(listing);
      if (gate != null) {
        gate.pass();
      }
      Gate afterParse = parsed.get(listing);
      if (afterParse != null) {
        List<PathEntry> all = new java.util.ArrayList<>();
        entries.forEach(all::add); // fixtures are small: parse all, then hold the commit
        afterParse.pass();
        d.paths().putListing(repo, listing, all);
        return;
      }
      d.paths().putListing(repo, listing, entries);
    }

    @Override
    public List<PathEntry> lookup(String repo, String path) throws IOException {
      return d.paths().lookup(repo, path);
    }

    @Override
    public void forEach(String repo, Visitor visitor) throws IOException {
      d.paths().forEach(repo, visitor);
    }

    @Override
    public long deleteListings(String repo, java.util.function.Predicate<Digest> doomed) throws IOException {
      return d.paths().deleteListings(repo, doomed);
    }
  };

  @Override
  public BlobStore blobs() {
    return blobs;
  }

  @Override
  public Aliases aliases() {
    return d.aliases();
  }

  @Override
  public Observations observations() {
    return d.observations();
  }

  @Override
  public Pins pins() {
    return d.pins();
  }

  @Override
  public PathIndex paths() {
    return paths;
  }

  @Override
  public Refs refs() {
    return d.refs();
  }

  @Override
  public BuildRecords builds() {
    return d.builds();
  }

  @Override
  public void close() {
    d.close();
  }
}
