package dev.reprox.storage.memory;

import dev.reprox.storage.Digest;
import dev.reprox.storage.PathEntry;
import dev.reprox.storage.PathIndex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Path → entries keyed by listing digest, the order the RocksDB keys give. */
final class MemoryPathIndex implements PathIndex {
  private record RepoPath(String repo, String path) {}

  private record RepoListing(String repo, Digest listing) {}

  private final Map<RepoPath, TreeMap<Digest, PathEntry>> entries = new HashMap<>();
  private final Set<RepoListing> indexed = new HashSet<>();

  @Override
  public synchronized boolean isIndexed(String repo, Digest listing) {
    return indexed.contains(new RepoListing(repo, listing));
  }

  @Override
  public synchronized void putListing(String repo, Digest listing, Iterable<PathEntry> list) {
    for (PathEntry e : list) {
      if (!e.listing().equals(listing)) {
        throw new IllegalArgumentException("putListing: entry " + e.path() + " names listing " + e.listing()
            + ", not " + listing);
      }
      entries.computeIfAbsent(new RepoPath(repo, e.path()), k -> new TreeMap<>()).put(listing, e);
    }
    indexed.add(new RepoListing(repo, listing));
  }

  @Override
  public synchronized List<PathEntry> lookup(String repo, String path) {
    TreeMap<Digest, PathEntry> m = entries.get(new RepoPath(repo, path));
    return m == null ? List.of() : new ArrayList<>(m.values());
  }

  @Override
  public void forEach(String repo, Visitor visitor) throws java.io.IOException {
    List<PathEntry> copy = new ArrayList<>();
    synchronized (this) {
      entries.forEach((k, m) -> {
        if (k.repo().equals(repo)) {
          copy.addAll(m.values());
        }
      });
    }
    for (PathEntry e : copy) {
      visitor.visit(e);
    }
  }

  @Override
  public synchronized long deleteListings(String repo, java.util.function.Predicate<Digest> doomed) {
    indexed.removeIf(rl -> rl.repo().equals(repo) && doomed.test(rl.listing()));
    long n = 0;
    for (var it = entries.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!e.getKey().repo().equals(repo)) {
        continue;
      }
      int before = e.getValue().size();
      e.getValue().keySet().removeIf(doomed);
      n += before - e.getValue().size();
      if (e.getValue().isEmpty()) {
        it.remove();
      }
    }
    return n;
  }
}
