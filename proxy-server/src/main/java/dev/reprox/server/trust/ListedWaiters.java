package dev.reprox.server.trust;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.storage.Digest;
import dev.reprox.storage.PathEntry;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Per-path waiters on listings being indexed (issue 14): a package fill that started before its
 * listing was indexed learns its SHA-256 and size the moment the streaming parser reads the
 * stanza naming it, not only once the whole listing is committed. The listing's bytes were
 * verified against the root before indexing starts, so a parsed entry is as trustworthy as an
 * indexed one. A waiter that never hears (the stanza was parsed before it registered, or nothing
 * names the path) is answered by its caller from the path index after the commit instead.
 */
public final class ListedWaiters {
  private record Waiter(String repo, Set<Digest> listings, CompletableFuture<PathEntry> found) {}

  private final ConcurrentMap<String, List<Waiter>> byPath = new ConcurrentHashMap<>();

  /**
   * Completes with the entry for {@code path} that one of {@code listings} (digests of verified
   * listings of one generation) names as it is parsed; never fails. The caller completes or
   * cancels it when it no longer needs it, which unregisters it.
   */
  public CompletableFuture<PathEntry> await(String repo, String path, Set<Digest> listings) {
    Waiter w = new Waiter(repo, Set.copyOf(listings), new CompletableFuture<>());
    byPath.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).add(w);
    w.found().whenComplete((f, e) -> byPath.computeIfPresent(path, (p, list) -> {
      list.remove(w);
      return list.isEmpty() ? null : list;
    }));
    return w.found();
  }

  /** Waiters registered now; for tests. */
  int size() {
    return byPath.values().stream().mapToInt(List::size).sum();
  }

  /** {@code reader}, telling the waiters of each entry it yields (listing {@code listing} of {@code repo}). */
  ListingReader observing(String repo, Digest listing, ListingReader reader) {
    return new ListingReader() {
      @Override
      public ListedFile next() throws IOException, IndexParseException {
        ListedFile f = reader.next();
        if (f != null && !byPath.isEmpty()) {
          List<Waiter> waiting = byPath.get(f.path());
          if (waiting != null) {
            for (Waiter w : waiting) {
              if (w.repo().equals(repo) && w.listings().contains(listing)) {
                w.found().complete(f.toPathEntry(listing));
              }
            }
          }
        }
        return f;
      }

      @Override
      public void close() throws IOException {
        reader.close();
      }
    };
  }
}
