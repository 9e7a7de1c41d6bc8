package dev.reprox.storage.memory;

import dev.reprox.storage.Digest;
import dev.reprox.storage.Generation;
import dev.reprox.storage.Observation;
import dev.reprox.storage.Observations;
import dev.reprox.storage.internal.Generations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/** Generations per (repo, root) in a map ordered like the RocksDB keys: publishedAt, then digest. */
final class MemoryObservations implements Observations {
  private record RepoRoot(String repo, String root) {}

  private record At(Instant publishedAt, Digest digest) {}

  private static final Comparator<At> ORDER =
      Comparator.comparing(At::publishedAt).thenComparing(At::digest);
  private static final Digest MAX_DIGEST = Digest.of(filled((byte) 0xff));

  private final Map<RepoRoot, NavigableMap<At, Generation>> byTime = new HashMap<>();
  private final Map<RepoRoot, Map<Digest, At>> byDigest = new HashMap<>();

  @Override
  public synchronized Generation record(Observation o) {
    RepoRoot rr = new RepoRoot(o.repo(), o.root());
    Map<Digest, At> digests = byDigest.computeIfAbsent(rr, k -> new HashMap<>());
    NavigableMap<At, Generation> gens = byTime.computeIfAbsent(rr, k -> new TreeMap<>(ORDER));
    At at = digests.computeIfAbsent(o.digest(), d -> new At(o.publishedAt(), d));
    Generation g = Generations.fold(gens.get(at), o);
    gens.put(at, g);
    return g;
  }

  @Override
  public synchronized Optional<Generation> floor(String repo, String root, Instant t) {
    NavigableMap<At, Generation> gens = byTime.get(new RepoRoot(repo, root));
    return gens == null ? Optional.empty()
        : Optional.ofNullable(gens.floorEntry(new At(t, MAX_DIGEST))).map(Map.Entry::getValue);
  }

  @Override
  public synchronized Optional<Generation> ceilingAfter(String repo, String root, Instant t) {
    NavigableMap<At, Generation> gens = byTime.get(new RepoRoot(repo, root));
    return gens == null ? Optional.empty()
        : Optional.ofNullable(gens.higherEntry(new At(t, MAX_DIGEST))).map(Map.Entry::getValue);
  }

  @Override
  public synchronized Optional<Generation> byDigest(String repo, String root, Digest digest) {
    RepoRoot rr = new RepoRoot(repo, root);
    At at = byDigest.getOrDefault(rr, Map.of()).get(digest);
    return at == null ? Optional.empty() : Optional.of(byTime.get(rr).get(at));
  }

  @Override
  public synchronized List<Generation> generations(String repo, String root) {
    return new ArrayList<>(byTime.getOrDefault(new RepoRoot(repo, root), new TreeMap<>(ORDER)).values());
  }

  @Override
  public synchronized List<String> roots(String repo) {
    return byTime.keySet().stream().filter(rr -> rr.repo().equals(repo)).map(RepoRoot::root).sorted().toList();
  }

  @Override
  public synchronized List<String> repos() {
    return byTime.keySet().stream().map(RepoRoot::repo).distinct().sorted().toList();
  }

  @Override
  public synchronized boolean delete(String repo, String root, Digest digest) {
    RepoRoot rr = new RepoRoot(repo, root);
    Map<Digest, At> digests = byDigest.get(rr);
    At at = digests == null ? null : digests.remove(digest);
    if (at == null) {
      return false;
    }
    NavigableMap<At, Generation> gens = byTime.get(rr);
    gens.remove(at);
    if (gens.isEmpty()) {
      byTime.remove(rr);
      byDigest.remove(rr);
    }
    return true;
  }

  private static byte[] filled(byte b) {
    byte[] a = new byte[Digest.LENGTH];
    java.util.Arrays.fill(a, b);
    return a;
  }
}
