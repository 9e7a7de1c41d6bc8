package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stored root whose blob vanished (a damaged store, a blob deleted by hand): its refs and
 * observations still name it, but it cannot be read. It is not a storage failure: the root is
 * fetched again and verified again before anything below it is served.
 */
class VanishedRootBlobTest {
  static final String ROOT = "dists/stable/InRelease";
  static final Instant C0 = Instant.parse("2025-01-01T00:00:00Z");

  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(C0);
  private final Storage storage = MemoryStorage.builder().clock(clock).build();

  @AfterEach
  void close() {
    storage.close();
  }

  private Fetchers fetchers(RepositoryConfig repo) {
    return Fetchers.builder().storage(storage).storageExecutor(Runnable::run).clock(clock)
        .headerTimeout(Duration.ofSeconds(5)).repositories(List.of(repo)).build();
  }

  private static RepositoryConfig repo(StaticServer upstream, Path keyring) {
    return new RepositoryConfig("fix", RepositoryConfig.Format.APT,
        java.net.URI.create(upstream.baseUri().toString().replaceAll("/$", "")), Optional.empty(),
        new Keyring.File(keyring), RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(600), false);
  }

  @Test
  void rootAtT_blobVanished_refetchedAndReverified() throws Exception {
    AptRepoBuilder builder = AptRepoBuilder.in(tmp.resolve("repo")).date(Instant.parse("2024-03-01T00:00:00Z"))
        .add("foo", "1.0");
    AptGeneration g1 = builder.publish();
    Path keyring = builder.writeKeyring(tmp.resolve("fix.gpg"));
    Digest root = Digest.sha256(g1.inReleaseSha256());
    try (StaticServer upstream = StaticServer.serve(builder.root())) {
      RepositoryConfig r = repo(upstream, keyring);
      Instant t = C0.plusSeconds(60);
      try (Fetchers f = fetchers(r)) {
        f.fetcher().fetch(new FetchRequest(r, ROOT)).join();
        clock.advance(Duration.ofMinutes(5));
        f.fetcher().fetch(new FetchRequest(r, ROOT, Optional.of(t), null, null)).join(); // pins T
      }
      storage.blobs().delete(root);
      int before = upstream.requestsFor(ROOT).size();

      try (Fetchers f = fetchers(r)) { // a restart: no parsed root cached
        Fetched again = f.fetcher().fetch(new FetchRequest(r, ROOT, Optional.of(t), null, null)).join();
        assertThat(again.provenance().generation()).contains(root);
      }

      assertThat(upstream.requestsFor(ROOT)).hasSizeGreaterThan(before);
      assertThat(storage.blobs().stat(root)).isPresent();
    }
  }
}
