package dev.reprox.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.ReproxServer;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Observation;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reprox generations} against a server in this JVM, and against none. */
class GenerationsCommandTest {
  private static final Instant T = Instant.parse("2024-03-01T00:00:00Z");

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  private ReproxServer server(Storage storage) throws Exception {
    return server(storage, "");
  }

  private ReproxServer server(Storage storage, String extra) throws Exception {
    Path config = dir.resolve("reprox.yaml");
    Files.writeString(config, extra + "repositories:\n  fix:\n    format: apt\n    upstream: http://127.0.0.1:1/debian\n"
        + "    keyring: none\n");
    ReproxConfig cfg = ConfigLoader.load(Optional.of(config), Map.of(), new ConfigLoader.Overrides(
        Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(dir.resolve("data")), Optional.of(true)));
    return ReproxServer.builder().config(cfg).storage(storage).clock(Clock.systemUTC())
        .drainTimeout(Duration.ofSeconds(1)).start();
  }

  private static Observation observed(String root, String content) {
    return new Observation("fix", root, Digest.compute(content.getBytes(StandardCharsets.UTF_8)), T, false, T,
        "ABCD", Observation.Source.LIVE);
  }

  @Test
  void generations_withoutRoot_listsTheObservedRoots() throws Exception {
    Storage storage = MemoryStorage.builder().build();
    storage.observations().record(observed("dists/bookworm/InRelease", "a"));
    storage.observations().record(observed("dists/bookworm-updates/InRelease", "b"));
    try (ReproxServer server = server(storage)) {
      String url = "http://127.0.0.1:" + server.address().getPort();
      assertThat(run("generations", "fix", "--server", url)).as(err.toString()).isZero();
      assertThat(out.toString().lines().skip(1)).containsExactlyInAnyOrder(
          "dists/bookworm/InRelease", "dists/bookworm-updates/InRelease");

      assertThat(run("generations", "fix", "--server", url, "--root", "dists/bookworm/InRelease")).isZero();
      assertThat(out.toString()).contains(Digest.compute("a".getBytes(StandardCharsets.UTF_8)).toString());
    }
  }

  @Test
  void generations_readTokenSet_sendsTheTokenFile() throws Exception {
    Storage storage = MemoryStorage.builder().build();
    storage.observations().record(observed("dists/bookworm/InRelease", "a"));
    Path token = dir.resolve("read.token");
    Files.writeString(token, "read-0123456789abcdef\n");
    try (ReproxServer server = server(storage, "api:\n  read-token: read-0123456789abcdef\n")) {
      String url = "http://127.0.0.1:" + server.address().getPort();
      assertThat(run("generations", "fix", "--server", url)).isEqualTo(1);
      assertThat(err.toString()).contains("answered 401").contains("api.read-token");

      assertThat(run("generations", "fix", "--server", url, "--token-file", token.toString())).as(err.toString()).isZero();
      assertThat(out.toString()).contains("dists/bookworm/InRelease");
    }
  }

  @Test
  void generations_noRootObservedYet_saysSo() throws Exception {
    try (ReproxServer server = server(MemoryStorage.builder().build())) {
      assertThat(run("generations", "fix", "--server", "http://127.0.0.1:" + server.address().getPort())).isZero();
      assertThat(err.toString()).contains("fix has observed no root index yet");
    }
  }

  @Test
  void generations_serverDown_saysSoInWordsExit1() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    assertThat(run("generations", "fix", "--server", "http://127.0.0.1:" + port)).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("cannot reach reprox at http://127.0.0.1:" + port
        + ": connection refused (is it running?)" + System.lineSeparator());
    assertThat(out.toString()).isEmpty();
  }
}
