package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.memory.MemoryStorage;
import dev.reprox.testkit.dnf.DnfGeneration;
import dev.reprox.testkit.dnf.DnfRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dnf's own order with a repomd.xml naming primary by sha512 only: the client fetches primary, then
 * at once an rpm. primary's SHA-256 is unknown until its fill is stored, so it is registered under
 * its sha512 from the fill's start to its index commit: the rpm request waits for that index (held
 * here at a gate, so the race is one fixed sequence) instead of answering 404, and is then served
 * as primary names it, with no second upstream fetch of primary.
 */
class DnfAliasListingRaceTest {
  private static final Instant DATE = Instant.parse("2024-03-01T00:00:00Z");

  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(DATE.plusSeconds(3600));
  private final HoldingStorage storage = new HoldingStorage(MemoryStorage.builder().clock(clock).build());
  private final ExecutorService storageThreads = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    storageThreads.shutdownNow();
  }

  @Test
  void rpm_whileItsSha512NamedPrimaryIsBeingIndexed_waitsForTheIndexInsteadOf404() throws Exception {
    try (DnfRepoBuilder builder = DnfRepoBuilder.in(tmp.resolve("dnf")).date(DATE).repomdChecksum("sha512")
        .add("foo", "1.0")) {
      DnfGeneration g = builder.publish();
      Path key = builder.writePublicKey(tmp.resolve("RPM-GPG-KEY"));
      String primary = g.files().keySet().stream().filter(p -> p.endsWith("-primary.xml.gz")).findFirst()
          .orElseThrow();
      DnfGeneration.BuiltRpm foo = g.rpm("foo");
      try (StaticServer upstream = StaticServer.serve(builder.root())) {
        RepositoryConfig repo = config(upstream, key);
        try (Fetchers f = fetchers(repo)) {
          Bodies.readAll(f.fetcher().fetch(new FetchRequest(repo, DnfGeneration.REPOMD)).get(20, TimeUnit.SECONDS));
          HoldingStorage.Gate indexing = storage.holdIndexing(Digest.compute(Files.readAllBytes(g.resolve(primary))));
          CompletableFuture<Fetched> rpm;
          try {
            Fetched listing = f.fetcher().fetch(new FetchRequest(repo, primary)).get(20, TimeUnit.SECONDS);
            assertThat(Bodies.readAll(listing)).isEqualTo(Files.readAllBytes(g.resolve(primary)));
            assertThat(indexing.awaitEntered()).as("primary stored, its indexing started").isTrue();

            CompletableFuture<Void> waiting = f.listings().nextWait();
            rpm = f.fetcher().fetch(new FetchRequest(repo, foo.path()));
            waiting.get(10, TimeUnit.SECONDS);
            assertThat(rpm).as("nothing is known before primary is indexed").isNotDone();
          } finally {
            indexing.open();
          }
          Fetched served = rpm.get(20, TimeUnit.SECONDS);
          assertThat(Bodies.readAll(served)).isEqualTo(Files.readAllBytes(g.resolve(foo.path())));
          served.settled().get(20, TimeUnit.SECONDS);
          assertThat(served.digest()).hasValue(Digest.sha256(foo.sha256()));
          assertThat(upstream.requestsEndingWith("-primary.xml.gz")).as("primary, once").hasSize(1);
        }
      }
    }
  }

  /**
   * Live, the generation after the one whose rpm is stored rebuilt it under the same path (other
   * bytes): while the new primary (sha512-named) is being indexed, an rpm request must not be
   * answered by the earlier generation's listing (the client holds the new primary already), but
   * wait for the new one and get its bytes.
   */
  @Test
  void live_rpmRebuiltInTheNextGeneration_whileItsPrimaryIsIndexed_neverTheEarlierGenerationsBytes()
      throws Exception {
    try (DnfRepoBuilder builder = DnfRepoBuilder.in(tmp.resolve("dnf")).date(DATE).repomdChecksum("sha512")
        .add("foo", "1.0")) {
      DnfGeneration g1 = builder.publish();
      Path key = builder.writePublicKey(tmp.resolve("RPM-GPG-KEY"));
      try (StaticServer upstream = StaticServer.serve(builder.root())) {
        RepositoryConfig repo = config(upstream, key);
        try (Fetchers f = fetchers(repo)) {
          Bodies.readAll(f.fetcher().fetch(new FetchRequest(repo, DnfGeneration.REPOMD)).get(20, TimeUnit.SECONDS));
          Bodies.readAll(f.fetcher().fetch(new FetchRequest(repo, primaryOf(g1))).get(20, TimeUnit.SECONDS));
          Fetched first = f.fetcher().fetch(new FetchRequest(repo, g1.rpm("foo").path())).get(20, TimeUnit.SECONDS);
          Bodies.readAll(first);
          first.settled().get(20, TimeUnit.SECONDS);
          assertThat(first.digest()).hasValue(Digest.sha256(g1.rpm("foo").sha256()));

          // The same path rebuilt (another build time): other bytes under the same name.
          Files.delete(g1.resolve(g1.rpm("foo").path()));
          DnfGeneration g2 = builder.sourceDateEpoch(1_700_000_500L).date(DATE.plusSeconds(600)).publish();
          assertThat(g2.rpm("foo").path()).isEqualTo(g1.rpm("foo").path());
          assertThat(g2.rpm("foo").sha256()).isNotEqualTo(g1.rpm("foo").sha256());
          clock.advance(Duration.ofSeconds(61)); // past root-ttl: the live repomd.xml is asked again
          Bodies.readAll(f.fetcher().fetch(new FetchRequest(repo, DnfGeneration.REPOMD)).get(20, TimeUnit.SECONDS));

          String primary2 = primaryOf(g2);
          HoldingStorage.Gate indexing = storage.holdIndexing(Digest.compute(Files.readAllBytes(g2.resolve(primary2))));
          CompletableFuture<Fetched> rpm;
          try {
            Bodies.readAll(f.fetcher().fetch(new FetchRequest(repo, primary2)).get(20, TimeUnit.SECONDS));
            assertThat(indexing.awaitEntered()).as("the new primary stored, its indexing started").isTrue();
            CompletableFuture<Void> waiting = f.listings().nextWait();
            rpm = f.fetcher().fetch(new FetchRequest(repo, g2.rpm("foo").path()));
            waiting.get(10, TimeUnit.SECONDS);
            assertThat(rpm).as("not answered by the earlier generation meanwhile").isNotDone();
          } finally {
            indexing.open();
          }
          Fetched served = rpm.get(20, TimeUnit.SECONDS);
          assertThat(Bodies.readAll(served)).isEqualTo(Files.readAllBytes(g2.resolve(g2.rpm("foo").path())));
          served.settled().get(20, TimeUnit.SECONDS);
          assertThat(served.digest()).hasValue(Digest.sha256(g2.rpm("foo").sha256()));
        }
      }
    }
  }

  private static String primaryOf(DnfGeneration g) {
    return g.files().keySet().stream().filter(p -> p.endsWith("-primary.xml.gz")).findFirst().orElseThrow();
  }

  private Fetchers fetchers(RepositoryConfig repo) {
    return Fetchers.builder().storage(storage).storageExecutor(storageThreads).clock(clock)
        .headerTimeout(Duration.ofSeconds(5)).repositories(List.of(repo)).build();
  }

  private static RepositoryConfig config(StaticServer upstream, Path key) {
    return new RepositoryConfig("fix", RepositoryConfig.Format.DNF,
        URI.create(upstream.baseUri().toString().replaceAll("/$", "")), Optional.empty(), new Keyring.File(key),
        RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false);
  }
}
