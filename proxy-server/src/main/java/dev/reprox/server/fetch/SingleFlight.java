package dev.reprox.server.fetch;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * At most one computation per key at a time; whoever asks while it runs gets the same future. The
 * one place reprox coalesces work: upstream fills ({@link SingleFlightFetcher}), root
 * revalidation ({@link dev.reprox.server.trust.Roots}), listing indexing and the listing fetches reprox starts itself
 * ({@link dev.reprox.server.trust.ListingIndexer}). Nothing blocks: the first caller starts the work, everyone shares its
 * future. The key leaves before the shared future completes, so a caller that retries as soon as
 * it sees a failure starts afresh instead of joining the dead one.
 */
public final class SingleFlight<K, V> {
  private final ConcurrentMap<K, CompletableFuture<V>> running = new ConcurrentHashMap<>();

  /**
   * The running future for {@code key}, else {@code start}'s, shared until it completes. A start
   * that throws fails the shared future (an executor that refused the task).
   */
  public CompletableFuture<V> run(K key, Supplier<? extends CompletionStage<V>> start) {
    return run(key, start, v -> CompletableFuture.completedFuture(null));
  }

  /**
   * {@link #run(Object, Supplier)}, with the key kept after a success until {@code release} of the
   * value completes: a fill is shared from its response head until its body settles.
   */
  public CompletableFuture<V> run(K key, Supplier<? extends CompletionStage<V>> start,
      Function<? super V, ? extends CompletionStage<?>> release) {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> shared = running.putIfAbsent(key, mine);
    if (shared != null) {
      return shared;
    }
    CompletionStage<V> work;
    try {
      work = start.get();
    } catch (RuntimeException e) {
      running.remove(key, mine);
      mine.completeExceptionally(e);
      return mine;
    }
    work.whenComplete((value, error) -> {
      if (error != null) {
        running.remove(key, mine);
        mine.completeExceptionally(error);
        return;
      }
      CompletionStage<?> held;
      try {
        held = release.apply(value);
      } catch (RuntimeException e) {
        held = CompletableFuture.completedFuture(null);
      }
      held.whenComplete((v, e) -> running.remove(key, mine));
      mine.complete(value);
    });
    return mine;
  }

  /** The future of the computation running for {@code key}, if any. */
  public Optional<CompletableFuture<V>> running(K key) {
    return Optional.ofNullable(running.get(key));
  }

  /** How many keys are running; for tests and the status page. */
  public int size() {
    return running.size();
  }
}
