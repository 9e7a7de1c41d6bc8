package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Pin;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pinned root at a T after reprox's last fetch but not after now (the usual CI
 * SOURCE_DATE_EPOCH): the live root is re-fetched once, and proves T when it is still the
 * generation published at or before T. No snapshot server is configured, so nothing else could.
 */
class RecentPinTest {
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
        .headerTimeout(Duration.ofSeconds(5)).repositories(java.util.List.of(repo)).build();
  }

  private static RepositoryConfig repo(StaticServer upstream, Path keyring, RepositoryConfig.PinningPolicy policy,
      boolean offline) {
    return new RepositoryConfig("fix", RepositoryConfig.Format.APT,
        java.net.URI.create(upstream.baseUri().toString().replaceAll("/$", "")), Optional.empty(),
        new Keyring.File(keyring), policy, Duration.ofSeconds(600), offline);
  }

  private static Fetched at(Fetchers f, RepositoryConfig r, Instant t) {
    return f.fetcher().fetch(new FetchRequest(r, ROOT, Optional.of(t), null, null)).join();
  }

  @Test
  void pinnedRoot_tAfterLastFetch_oneLiveRefetchProvesIt() throws Exception {
    AptRepoBuilder builder = AptRepoBuilder.in(tmp.resolve("repo")).date(Instant.parse("2024-03-01T00:00:00Z"))
        .add("foo", "1.0");
    AptGeneration g1 = builder.publish();
    Path keyring = builder.writeKeyring(tmp.resolve("fix.gpg"));
    try (StaticServer upstream = StaticServer.serve(builder.root())) {
      RepositoryConfig r = repo(upstream, keyring, RepositoryConfig.PinningPolicy.STRICT, false);
      try (Fetchers f = fetchers(r)) {
        f.fetcher().fetch(new FetchRequest(r, ROOT)).join(); // the last fetch: at C0
        clock.advance(Duration.ofMinutes(5)); // still within root-ttl: live requests would not refetch
        Instant t = C0.plusSeconds(60);

        Fetched pinned = at(f, r, t);

        assertThat(pinned.provenance().pin()).hasValue("proven");
        assertThat(pinned.provenance().generation()).hasValueSatisfying(d -> assertThat(d.hex())
            .isEqualTo(g1.inReleaseSha256()));
        assertThat(upstream.requestsFor(ROOT)).hasSize(2);
        assertThat(storage.pins().get("fix", ROOT, t)).map(Pin::status).contains(Pin.Status.PROVEN);

        // Another T before that re-fetch is proven by it: no further GET.
        assertThat(at(f, r, t.plusSeconds(30)).provenance().pin()).hasValue("proven");
        assertThat(upstream.requestsFor(ROOT)).hasSize(2);
      }
    }
  }

  @Test
  void pinnedRoot_upstreamPublishedAfterT_refetchedOnceThenUnproven() throws Exception {
    AptRepoBuilder builder = AptRepoBuilder.in(tmp.resolve("repo")).date(Instant.parse("2024-03-01T00:00:00Z"))
        .add("foo", "1.0");
    AptGeneration g1 = builder.publish();
    Path keyring = builder.writeKeyring(tmp.resolve("fix.gpg"));
    try (StaticServer upstream = StaticServer.serve(builder.root())) {
      RepositoryConfig r = repo(upstream, keyring, RepositoryConfig.PinningPolicy.BEST_EFFORT, false);
      try (Fetchers f = fetchers(r)) {
        f.fetcher().fetch(new FetchRequest(r, ROOT)).join();
        builder.date(C0.plusSeconds(120)).add("bar", "1.0").publish(); // a generation after T
        clock.advance(Duration.ofMinutes(5));
        Instant t = C0.plusSeconds(60);

        Fetched pinned = at(f, r, t);

        assertThat(pinned.provenance().pin()).hasValue("unproven");
        assertThat(pinned.provenance().generation()).hasValueSatisfying(d -> assertThat(d.hex())
            .isEqualTo(g1.inReleaseSha256()));
        assertThat(upstream.requestsFor(ROOT)).hasSize(2);
        assertThat(storage.observations().generations("fix", ROOT)).hasSize(2);
      }
    }
  }

  @Test
  void pinnedRoot_generationGoneFromStore_pinBrokenNotStorage() throws Exception {
    AptRepoBuilder builder = AptRepoBuilder.in(tmp.resolve("repo")).date(Instant.parse("2024-03-01T00:00:00Z"))
        .add("foo", "1.0");
    AptGeneration g1 = builder.publish();
    Path keyring = builder.writeKeyring(tmp.resolve("fix.gpg"));
    try (StaticServer upstream = StaticServer.serve(builder.root())) {
      RepositoryConfig r = repo(upstream, keyring, RepositoryConfig.PinningPolicy.BEST_EFFORT, false);
      try (Fetchers f = fetchers(r)) {
        Instant t = C0.plusSeconds(60);
        f.fetcher().fetch(new FetchRequest(r, ROOT)).join();
        clock.advance(Duration.ofMinutes(5));
        assertThat(at(f, r, t).provenance().pin()).isPresent(); // T is pinned to g1
        storage.observations().delete("fix", ROOT, Digest.sha256(g1.inReleaseSha256()));

        Throwable thrown = catchThrowable(() -> at(f, r, t));

        FetchException e = FetchException.of(thrown, new FetchRequest(r, ROOT, Optional.of(t), null, null));
        assertThat(e.kind()).isEqualTo(FetchException.Kind.PIN_BROKEN);
        assertThat(e.answer().status()).isEqualTo(500);
        assertThat(e.answer().reasonPhrase()).isEqualTo("Pinned generation not in the store");
        assertThat(e.getMessage()).contains(g1.inReleaseSha256());
      }
    }
  }

  @Test
  void pinnedRoot_offline_noRefetch() throws Exception {
    AptRepoBuilder builder = AptRepoBuilder.in(tmp.resolve("repo")).date(Instant.parse("2024-03-01T00:00:00Z"))
        .add("foo", "1.0");
    builder.publish();
    Path keyring = builder.writeKeyring(tmp.resolve("fix.gpg"));
    try (StaticServer upstream = StaticServer.serve(builder.root())) {
      RepositoryConfig online = repo(upstream, keyring, RepositoryConfig.PinningPolicy.BEST_EFFORT, false);
      try (Fetchers f = fetchers(online)) {
        f.fetcher().fetch(new FetchRequest(online, ROOT)).join();
      }
      clock.advance(Duration.ofMinutes(5));
      RepositoryConfig offline = repo(upstream, keyring, RepositoryConfig.PinningPolicy.BEST_EFFORT, true);
      try (Fetchers f = fetchers(offline)) {
        assertThat(at(f, offline, C0.plusSeconds(60)).provenance().pin()).hasValue("unproven");
      }
      assertThat(upstream.requestsFor(ROOT)).hasSize(1);
    }
  }
}
