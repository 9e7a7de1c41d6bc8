package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.Aliases;
import dev.reprox.storage.BlobStore;
import dev.reprox.storage.BuildRecords;
import dev.reprox.storage.Digest;
import dev.reprox.storage.FillLeases;
import dev.reprox.storage.Observations;
import dev.reprox.storage.PathIndex;
import dev.reprox.storage.Pins;
import dev.reprox.storage.Refs;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The cross-replica lease of a fill lasts what the shared store was configured with. */
class ClusterFlightFetcherTest {
  private static final RepositoryConfig REPO = new RepositoryConfig("debian", RepositoryConfig.Format.APT,
      URI.create("http://deb.debian.org/debian"), Optional.empty(), new Keyring.None(),
      RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false);

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  @Test
  void fill_takesItsLeaseForTheStoresConfiguredTtl() throws Exception {
    LeasingStorage storage = new LeasingStorage(Duration.ofSeconds(2));
    CompletableFuture<Fetched> upstream = new CompletableFuture<>();
    Fetcher fetcher = ClusterFlightFetcher.wrap(storage, Runnable::run, timer, request -> upstream);
    Digest digest = Digest.compute(new byte[] {1, 2, 3});

    CompletableFuture<Fetched> out = fetcher.fetch(new FetchRequest(REPO, "pool/main/h/hello.deb", Optional.empty(),
        new FetchRequest.Expected(digest, 3), null));

    assertThat(storage.asked).containsExactly("fill:" + digest.hex() + " PT2S");
    upstream.completeExceptionally(new FetchException(FetchException.Kind.UPSTREAM_STATUS, "fetch: 500"));
    assertThat(out).isCompletedExceptionally();
  }

  /** A memory store that hands out leases and notes each key and ttl it was asked for. */
  private static final class LeasingStorage implements Storage, FillLeases {
    final List<String> asked = new CopyOnWriteArrayList<>();
    private final Storage memory = MemoryStorage.builder().build();
    private final Duration ttl;

    LeasingStorage(Duration ttl) {
      this.ttl = ttl;
    }

    @Override
    public Duration leaseTtl() {
      return ttl;
    }

    @Override
    public Optional<Lease> tryAcquire(String key, Duration ttl) {
      asked.add(key + " " + ttl);
      return Optional.of(new Lease() {
        @Override
        public boolean renew() {
          return true;
        }

        @Override
        public void close() {
        }
      });
    }

    @Override
    public BlobStore blobs() {
      return memory.blobs();
    }

    @Override
    public Aliases aliases() {
      return memory.aliases();
    }

    @Override
    public Observations observations() {
      return memory.observations();
    }

    @Override
    public Pins pins() {
      return memory.pins();
    }

    @Override
    public PathIndex paths() {
      return memory.paths();
    }

    @Override
    public Refs refs() {
      return memory.refs();
    }

    @Override
    public BuildRecords builds() {
      return memory.builds();
    }

    @Override
    public void close() {
      memory.close();
    }
  }
}
