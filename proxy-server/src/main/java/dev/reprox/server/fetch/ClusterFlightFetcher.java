package dev.reprox.server.fetch;

import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.Digest;
import dev.reprox.storage.FillLeases;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single flight across replicas sharing one store: a fill whose content is known (an expected
 * SHA-256) is started only by the replica holding the store's lease on that digest; the others
 * poll until the blob is committed and serve it from the store. The holder renews its lease while
 * the fill runs and gives it up when the fill settles; a holder that dies stops renewing, its
 * lease expires, and a waiting replica takes the fill over. Sits under the per-process
 * {@link SingleFlightFetcher}, so each replica has at most one waiter per fill. Nothing here
 * blocks a caller's thread: storage calls run on the storage executor, waits on the timer.
 */
final class ClusterFlightFetcher implements Fetcher {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterFlightFetcher.class);
  static final Duration POLL = Duration.ofMillis(100);

  private final Storage storage;
  private final FillLeases leases;
  private final Executor storageExecutor;
  private final ScheduledExecutorService timer;
  private final Fetcher next;

  ClusterFlightFetcher(Storage storage, FillLeases leases, Executor storageExecutor, ScheduledExecutorService timer,
      Fetcher next) {
    this.storage = storage;
    this.leases = leases;
    this.storageExecutor = storageExecutor;
    this.timer = timer;
    this.next = next;
  }

  /** {@code next} behind a cluster-wide lease when {@code storage} is shared, else {@code next} itself. */
  static Fetcher wrap(Storage storage, Executor storageExecutor, ScheduledExecutorService timer, Fetcher next) {
    return storage instanceof FillLeases leases
        ? new ClusterFlightFetcher(storage, leases, storageExecutor, timer, next) : next;
  }

  @Override
  public CompletableFuture<Fetched> fetch(FetchRequest request) {
    if (request.expected() == null || request.expected().sha256() == null) {
      return next.fetch(request); // nothing to wait for by content: fetch as a single node does
    }
    CompletableFuture<Fetched> out = new CompletableFuture<>();
    attempt(request, request.expected().sha256(), out);
    return out;
  }

  private void attempt(FetchRequest request, Digest digest, CompletableFuture<Fetched> out) {
    try {
      storageExecutor.execute(() -> {
        try {
          Optional<BlobInfo> stored = storage.blobs().stat(digest);
          if (stored.isPresent()) {
            out.complete(new StoredFetcher.Stored(storage, stored.get(), true));
            return;
          }
          Optional<FillLeases.Lease> lease = leases.tryAcquire("fill:" + digest.hex(), leases.leaseTtl());
          if (lease.isPresent()) {
            lead(request, lease.get(), out);
          } else {
            timer.schedule(() -> attempt(request, digest, out), POLL.toMillis(), TimeUnit.MILLISECONDS);
          }
        } catch (IOException e) {
          out.completeExceptionally(new FetchException(FetchException.Kind.STORAGE,
              "fill lease for " + request + ": " + e.getMessage(), e));
        } catch (RuntimeException e) {
          out.completeExceptionally(e);
        }
      });
    } catch (RuntimeException e) { // executor shut down
      out.completeExceptionally(e);
    }
  }

  private void lead(FetchRequest request, FillLeases.Lease lease, CompletableFuture<Fetched> out) {
    long every = Math.max(1, leases.leaseTtl().toMillis() / 3);
    ScheduledFuture<?> renewal = timer.scheduleAtFixedRate(() -> storageExecutor.execute(() -> {
      try {
        if (!lease.renew()) {
          LOG.warn("fill of {}: lease lost (expired and taken by another replica)", request);
        }
      } catch (IOException e) {
        LOG.warn("fill of {}: lease renewal failed: {}", request, e.getMessage());
      }
    }), every, every, TimeUnit.MILLISECONDS);
    Runnable release = () -> {
      renewal.cancel(false);
      storageExecutor.execute(lease::close);
    };
    CompletableFuture<Fetched> fill;
    try {
      fill = next.fetch(request);
    } catch (RuntimeException e) {
      release.run();
      out.completeExceptionally(e);
      return;
    }
    fill.whenComplete((fetched, error) -> {
      if (error != null) {
        release.run();
        out.completeExceptionally(error);
        return;
      }
      fetched.settled().whenComplete((v, e) -> release.run());
      out.complete(fetched);
    });
  }
}
