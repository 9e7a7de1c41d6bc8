package dev.reprox.server.replay;

import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.ReproxServer;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** A reprox server in this JVM over a memory store, with a clock the test moves. */
final class InProcessReprox implements AutoCloseable {
  final MutableClock clock;
  final Storage storage;
  final ReproxServer server;
  final ReproxConfig config;
  private final HttpClient http = HttpClient.newHttpClient();

  InProcessReprox(Path dir, String repositoriesYaml, MutableClock clock, boolean offline) throws Exception {
    this(dir, repositoriesYaml, clock, offline, MemoryStorage.builder().clock(clock).build());
  }

  InProcessReprox(Path dir, String repositoriesYaml, MutableClock clock, boolean offline, Storage storage)
      throws Exception {
    this(dir, repositoriesYaml, clock, clock, offline, storage);
  }

  /** With any clock for the server ({@link #clock} is then null). */
  InProcessReprox(Path dir, String repositoriesYaml, java.time.Clock serverClock, boolean offline, Storage storage)
      throws Exception {
    this(dir, repositoriesYaml, null, serverClock, offline, storage, b -> b);
  }

  private InProcessReprox(Path dir, String repositoriesYaml, MutableClock clock, java.time.Clock serverClock,
      boolean offline, Storage storage) throws Exception {
    this(dir, repositoriesYaml, clock, serverClock, offline, storage, b -> b);
  }

  /** With the server's builder adjusted by {@code customize} before it starts (a watch scheduler). */
  InProcessReprox(Path dir, String repositoriesYaml, MutableClock clock,
      java.util.function.UnaryOperator<ReproxServer.Builder> customize) throws Exception {
    this(dir, repositoriesYaml, clock, clock, false, MemoryStorage.builder().clock(clock).build(), customize);
  }

  private InProcessReprox(Path dir, String repositoriesYaml, MutableClock clock, java.time.Clock serverClock,
      boolean offline, Storage storage, java.util.function.UnaryOperator<ReproxServer.Builder> customize)
      throws Exception {
    this.clock = clock;
    Path config = dir.resolve("reprox.yaml");
    Files.createDirectories(dir);
    Files.writeString(config, "repositories:\n" + repositoriesYaml);
    ReproxConfig cfg = ConfigLoader.load(Optional.of(config), Map.of(), new ConfigLoader.Overrides(
        Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(dir.resolve("data")), Optional.of(offline)));
    this.storage = storage;
    this.config = cfg;
    this.server = customize.apply(ReproxServer.builder().config(cfg).storage(storage).clock(serverClock)
        .drainTimeout(Duration.ofSeconds(2))).start();
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + server.address().getPort() + "/");
  }

  HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(base().resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  String metrics() throws IOException, InterruptedException {
    return new String(get("metrics").body(), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    server.close();
  }
}
