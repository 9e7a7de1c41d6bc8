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
 * listing was indexed learns its SHA-256 and size as soon as the streaming parser has read the
 * stanza naming it and the listing's bytes are verified against the root, not only once the whole
 * listing is committed. The parser runs while the listing downloads ({@link ListingIndexer}), so
 * an entry it reads is told to its waiters only when the listing's fill has verified its digest
 * ({@code verified}); until then nothing depends on it. The first {@link #KEPT} entries of each
 * listing being indexed are also kept until its index commit, for a package asked for after the
 * parser passed its stanza (the usual order: apt asks for a package after the whole listing came,
 * and the parser reads the start of it during the download). A waiter that never hears (its stanza
 * was parsed past that, or nothing names the path) is answered by its caller from the path index
 * after the commit instead.
 */
public final class ListedWaiters {
  /** Entries kept per listing being indexed: 16,384 is a quarter of bookworm main, a few MB of heap. */
  static final int KEPT = 16_384;

  private record Waiter(String repo, Set<Digest> listings, CompletableFuture<PathEntry> found) {}

  /** The start of one listing being parsed, and when its bytes are verified. */
  private record Parsed(CompletableFuture<?> verified, ConcurrentMap<String, PathEntry> first) {}

  private final ConcurrentMap<String, List<Waiter>> byPath = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Parsed> parsing = new ConcurrentHashMap<>();

  private static String key(String repo, Digest listing) {
    return repo + " " + listing;
  }

  /**
   * Completes with the entry for {@code path} that one of {@code listings} (digests of listings of
   * one generation, checked against its verified root) names once it is parsed and its bytes are
   * verified; never fails. The caller completes or cancels it when it no longer needs it, which
   * unregisters it.
   */
  public CompletableFuture<PathEntry> await(String repo, String path, Set<Digest> listings) {
    Waiter w = new Waiter(repo, Set.copyOf(listings), new CompletableFuture<>());
    byPath.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).add(w);
    w.found().whenComplete((f, e) -> byPath.computeIfPresent(path, (p, list) -> {
      list.remove(w);
      return list.isEmpty() ? null : list;
    }));
    // After registering: an entry parsed from now on tells the waiter, one parsed before is kept.
    for (Digest listing : w.listings()) {
      Parsed p = parsing.get(key(repo, listing));
      PathEntry e = p == null ? null : p.first().get(path);
      if (e != null) {
        p.verified().thenRun(() -> w.found().complete(e));
      }
    }
    return w.found();
  }

  /** Waiters registered now; for tests. */
  int size() {
    return byPath.values().stream().mapToInt(List::size).sum();
  }

  /**
   * {@code reader}, telling the waiters of each entry it yields (listing {@code listing} of
   * {@code repo}) once {@code verified} completed normally, and keeping its first entries until it
   * is closed.
   */
  ListingReader observing(String repo, Digest listing, CompletableFuture<?> verified, ListingReader reader) {
    String key = key(repo, listing);
    Parsed parsed = new Parsed(verified, new ConcurrentHashMap<>());
    parsing.put(key, parsed);
    return new ListingReader() {
      private int kept;

      @Override
      public ListedFile next() throws IOException, IndexParseException {
        ListedFile f = reader.next();
        if (f == null) {
          return null;
        }
        PathEntry entry = null;
        if (kept < KEPT) {
          entry = f.toPathEntry(listing);
          if (parsed.first().putIfAbsent(f.path(), entry) == null) {
            kept++;
          }
        }
        if (!byPath.isEmpty()) {
          List<Waiter> waiting = byPath.get(f.path());
          if (waiting != null) {
            PathEntry e = entry != null ? entry : f.toPathEntry(listing);
            for (Waiter w : waiting) {
              if (w.repo().equals(repo) && w.listings().contains(listing)) {
                verified.thenRun(() -> w.found().complete(e));
              }
            }
          }
        }
        return f;
      }

      @Override
      public void close() throws IOException {
        parsing.remove(key, parsed);
        reader.close();
      }
    };
  }
}
