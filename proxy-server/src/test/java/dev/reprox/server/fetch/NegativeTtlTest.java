package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** An upstream 404 of a signed repository is remembered for negative-ttl (injected clock), then asked again. */
class NegativeTtlTest {
  private static final Duration TTL = Duration.ofSeconds(30);

  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final Storage storage = MemoryStorage.builder().clock(clock).build();

  /** A path outside the trust chain (pass-through) and a root index that does not exist. */
  @ParameterizedTest
  @ValueSource(strings = {"project/missing.txt", "dists/nosuch/InRelease"})
  void repeated404_withinNegativeTtl_oneUpstreamRequest_afterTtlAskedAgain(String path) throws Exception {
    AptRepoBuilder builder = AptRepoBuilder.in(tmp.resolve("repo")).date(Instant.parse("2024-03-01T00:00:00Z"))
        .add("foo", "1.0");
    builder.publish();
    Path keyring = builder.writeKeyring(tmp.resolve("fix.gpg"));
    try (StaticServer upstream = StaticServer.serve(builder.root())) {
      RepositoryConfig r = new RepositoryConfig("fix", RepositoryConfig.Format.APT,
          URI.create(upstream.baseUri().toString().replaceAll("/$", "")), Optional.empty(), new Keyring.File(keyring),
          RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false, true, TTL);
      try (Fetchers f = Fetchers.builder().storage(storage).storageExecutor(Runnable::run).clock(clock)
          .headerTimeout(Duration.ofSeconds(5)).repositories(List.of(r)).build()) {
        for (int i = 0; i < 5; i++) {
          assertThat(status(f, new FetchRequest(r, path))).as("request %d", i).isEqualTo(404);
        }
        assertThat(upstream.requestsFor(path)).hasSize(1);

        clock.advance(TTL.minusSeconds(1));
        assertThat(status(f, new FetchRequest(r, path))).isEqualTo(404);
        assertThat(upstream.requestsFor(path)).as("still within negative-ttl").hasSize(1);

        clock.advance(Duration.ofSeconds(2));
        assertThat(status(f, new FetchRequest(r, path))).isEqualTo(404);
        assertThat(upstream.requestsFor(path)).as("after negative-ttl").hasSize(2);
      }
    }
  }

  private static int status(Fetchers f, FetchRequest request) {
    Throwable e = catchThrowable(() -> f.fetcher().fetch(request).join());
    return FetchException.of(e, request).kind().status();
  }
}
