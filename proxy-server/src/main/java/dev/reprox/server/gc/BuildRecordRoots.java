package dev.reprox.server.gc;

import dev.reprox.storage.BuildEntry;
import dev.reprox.storage.BuildLabel;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Generation;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every kept build record keeps what it names: {@code reprox lock --label} turns a record into a
 * lockfile, which is only worth something while the store can still serve it. A record last used
 * before {@code builds.retention} is skipped even if the hourly expiry has not deleted it yet, so
 * that gc and the expiry agree on what "kept" means.
 */
final class BuildRecordRoots implements RootProvider {
  private final Duration retention;
  private final Clock clock;

  BuildRecordRoots(Duration retention, Clock clock) {
    this.retention = retention;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "build records";
  }

  @Override
  public void roots(Storage storage, Sink sink) throws IOException {
    Instant cutoff = clock.instant().minus(retention);
    Map<String, Map<Digest, String>> rootsByRepo = new HashMap<>();
    for (BuildLabel label : storage.builds().labels()) {
      if (label.lastUsed().isBefore(cutoff)) {
        continue;
      }
      // One label at a time: at most BuildRecords.MAX_ENTRIES entries in the heap.
      for (BuildEntry e : storage.builds().entries(label.label())) {
        if (e.generation().isPresent()) {
          // A live answer records its generation but no pinned root: look the root up.
          Optional<String> root = e.root().isPresent() ? e.root()
              : Optional.ofNullable(rootsOf(storage, e.repo(), rootsByRepo).get(e.generation().get()));
          if (root.isPresent()) {
            sink.generation(e.repo(), root.get(), e.generation().get());
          }
        }
        // The body served, whatever vouched for it: the lockfile names this digest.
        sink.blob(e.sha256());
      }
    }
  }

  /** Which root each stored generation of {@code repo} belongs to; read once per repository. */
  private static Map<Digest, String> rootsOf(Storage storage, String repo, Map<String, Map<Digest, String>> cache)
      throws IOException {
    Map<Digest, String> byDigest = cache.get(repo);
    if (byDigest == null) {
      byDigest = new HashMap<>();
      for (String root : storage.observations().roots(repo)) {
        for (Generation g : storage.observations().generations(repo, root)) {
          byDigest.put(g.digest(), root);
        }
      }
      cache.put(repo, byDigest);
    }
    return byDigest;
  }
}
