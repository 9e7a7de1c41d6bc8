package dev.reprox.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.lock.LockEntry;
import dev.reprox.storage.memory.MemoryStorage;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prewarm --data}'s in-process chain (issue 11): what it starts and what it refuses. */
class LocalPrewarmTest {
  private static final Instant T = Instant.parse("2024-03-01T06:00:00Z");

  @TempDir Path tmp;

  private ReproxConfig config(String upstream) throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(Instant.parse("2024-03-01T00:00:00Z"))
        .add("foo", "1.0");
    repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    Path file = tmp.resolve("reprox.yaml");
    // Two of ours beside the built-in ones (debian, ubuntu...): only what a lockfile names starts.
    Files.writeString(file, "repositories:\n  fix:\n    format: apt\n    upstream: " + upstream + "\n    keyring: "
        + keyring + "\n  other:\n    format: apt\n    upstream: " + upstream + "\n    keyring: " + keyring + "\n");
    return ConfigLoader.load(Optional.of(file), Map.of(), new ConfigLoader.Overrides(
        Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(tmp.resolve("data")), Optional.empty()));
  }

  @Test
  void open_lockfileNamesOneRepository_startsOnlyThatOne() throws Exception {
    ReproxConfig cfg = config("http://127.0.0.1:9/none");
    assertThat(cfg.repositories()).containsKeys("fix", "other", "debian");

    try (LocalPrewarm local = LocalPrewarm.open(cfg, Set.of("fix", "not-configured"),
        MemoryStorage.builder().build(), Clock.systemUTC())) {
      assertThat(local.repositories()).containsExactly("fix");
    }
  }

  @Test
  void send_unsafePathOrUnknownRepository_answeredWithoutAnUpstreamRequest() throws Exception {
    try (StaticServer upstream = StaticServer.serve(tmp.resolve("repo"))) {
      ReproxConfig cfg = config(upstream.baseUri().toString().replaceAll("/$", ""));
      try (LocalPrewarm local = LocalPrewarm.open(cfg, Set.of("fix"), MemoryStorage.builder().build(),
          Clock.systemUTC())) {
        String sha = "0".repeat(64);
        for (String path : new String[] {"pool/../../etc/passwd", "pool/%2e%2e/x.deb", "pool//x.deb", "/pool/x.deb",
            "pool/a\\b.deb", "pool/a b.deb"}) {
          PrewarmSummary.Answer a = local.send(new LockEntry("fix", null, T, path, null, sha, null, 1, "l:1")).get();
          assertThat(a.row()).as(path).isEqualTo(PrewarmSummary.Row.UPSTREAM_FAILURE);
          assertThat(a.message()).as(path).startsWith("bad entry: ");
        }
        PrewarmSummary.Answer unknown = local.send(new LockEntry("other", null, T, "pool/x.deb", null, sha, null, 1,
            "l:2")).get();
        assertThat(unknown.row()).isEqualTo(PrewarmSummary.Row.NOT_FOUND);
        assertThat(unknown.message()).contains("other");
      }
      assertThat(upstream.requests()).isEmpty();
    }
  }

  @Test
  void checkPath_debianEpochEscape_passes() {
    LocalPrewarm.checkPath("pool/main/f/foo/foo_1%3a2.0-1_amd64.deb");
    assertThatThrownBy(() -> LocalPrewarm.checkPath("pool/x%2"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
