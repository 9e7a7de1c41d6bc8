package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.ConfigLoader;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.config.ReproxConfig;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new user's first request at T = now − 1 h, on an empty store, with the configured snapshot
 * server down (a closed loopback port: connects are refused): the live root answers, and the
 * snapshot server costs at most one connect attempt, counted by the upstream layer's meter
 * ({@code reprox.upstream.requests}, outcome {@code connect_error}, host = the snapshot origin).
 */
class UnreachableSnapshotServerTest {
  static final String ROOT = "dists/stable/InRelease";
  static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(NOW);
  private final Storage storage = MemoryStorage.builder().clock(clock).build();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void firstRequestHourAgo_liveRootProvesT_snapshotServerNotAsked() throws Exception {
    AptRepoBuilder builder = AptRepoBuilder.in(tmp.resolve("repo")).date(NOW.minus(Duration.ofHours(2)))
        .add("foo", "1.0");
    AptGeneration g1 = builder.publish();
    Path keyring = builder.writeKeyring(tmp.resolve("fix.gpg"));
    int closed = closedPort();
    try (StaticServer upstream = StaticServer.serve(builder.root())) {
      ReproxConfig config = config(upstream, keyring, closed);
      RepositoryConfig r = config.repositories().get("fix");
      try (Fetchers f = fetchers(config)) {

        Fetched answer = at(f, r, NOW.minus(Duration.ofHours(1)));

        assertThat(answer.provenance().pin()).hasValue("proven");
        assertThat(answer.provenance().generation()).hasValueSatisfying(d -> assertThat(d.hex())
            .isEqualTo(g1.inReleaseSha256()));
        assertThat(connectAttempts(closed)).isZero();
      }
    }
  }

  @Test
  void liveRootPublishedAfterT_snapshotServerDown_oneConnectAttempt_thenBreakerKeepsItAway() throws Exception {
    AptRepoBuilder builder = AptRepoBuilder.in(tmp.resolve("repo")).date(NOW.minus(Duration.ofMinutes(30)))
        .add("foo", "1.0");
    builder.publish();
    Path keyring = builder.writeKeyring(tmp.resolve("fix.gpg"));
    int closed = closedPort();
    try (StaticServer upstream = StaticServer.serve(builder.root())) {
      ReproxConfig config = config(upstream, keyring, closed);
      RepositoryConfig r = config.repositories().get("fix");
      try (Fetchers f = fetchers(config)) {

        Fetched first = at(f, r, NOW.minus(Duration.ofHours(1)));
        Fetched second = at(f, r, NOW.minus(Duration.ofMinutes(50)));

        // best-effort: the live generation, marked as not proving T; the snapshot server was tried once
        assertThat(first.provenance().pin()).isPresent().get().isNotEqualTo("proven");
        assertThat(second.provenance().pin()).isPresent().get().isNotEqualTo("proven");
        assertThat(connectAttempts(closed)).isEqualTo(1);
        assertThat(registry.find("reprox.upstream.retries").counters()).isEmpty();
      }
    }
  }

  private ReproxConfig config(StaticServer upstream, Path keyring, int snapshotPort) throws Exception {
    Path file = tmp.resolve("reprox.yaml");
    Files.writeString(file, "repositories:\n  fix:\n    format: apt\n"
        + "    upstream: " + upstream.baseUri().toString().replaceAll("/$", "") + "\n"
        + "    snapshot: http://127.0.0.1:" + snapshotPort + "/archive/fix/\n"
        + "    keyring: " + keyring + "\n");
    return ConfigLoader.load(Optional.of(file), Map.of(), ConfigLoader.Overrides.none());
  }

  private Fetchers fetchers(ReproxConfig config) {
    return Fetchers.builder().config(config).storage(storage).storageExecutor(Runnable::run).clock(clock)
        .registry(registry).headerTimeout(Duration.ofSeconds(5)).build();
  }

  private static Fetched at(Fetchers f, RepositoryConfig r, Instant t) {
    return f.fetcher().fetch(new FetchRequest(r, ROOT, Optional.of(t), null, null)).orTimeout(30, TimeUnit.SECONDS)
        .join();
  }

  private double connectAttempts(int port) {
    return registry.find("reprox.upstream.requests").tag("host", "http://127.0.0.1:" + port)
        .tag("outcome", "connect_error").counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
