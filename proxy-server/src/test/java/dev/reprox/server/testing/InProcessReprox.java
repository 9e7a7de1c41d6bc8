package dev.reprox.server.testing;

import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.ReproxServer;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The way tests run reprox in this JVM: a server on a free loopback port over a store (a memory
 * one by default) with a clock the test moves, a JDK client for its URLs and one that uses it as
 * its forward proxy. A child JVM ({@code java -jar reprox.jar}) is {@link ReproxProcess}.
 */
public final class InProcessReprox implements AutoCloseable {
  /** The clock the test moves, or null when the server was given another one. */
  public final MutableClock clock;
  public final Storage storage;
  public final ReproxServer server;
  /** The configuration the server runs with. */
  public final ReproxConfig config;
  private final HttpClient http = HttpClient.newHttpClient();
  private final HttpClient proxied;

  /** {@code repositoriesYaml}: the mapping under {@code repositories:}, indented by two. */
  public InProcessReprox(Path dir, String repositoriesYaml, MutableClock clock, boolean offline) throws Exception {
    this(dir, repositoriesYaml, clock, offline, MemoryStorage.builder().clock(clock).build());
  }

  public InProcessReprox(Path dir, String repositoriesYaml, MutableClock clock, boolean offline, Storage storage)
      throws Exception {
    this(dir, "repositories:\n" + repositoriesYaml, clock, clock, offline, storage);
  }

  /** With any clock for the server ({@link #clock} is then null). */
  public InProcessReprox(Path dir, String repositoriesYaml, Clock serverClock, boolean offline, Storage storage)
      throws Exception {
    this(dir, "repositories:\n" + repositoriesYaml, null, serverClock, offline, storage);
  }

  /** With the server's builder adjusted by {@code customize} before it starts (a watch scheduler). */
  public InProcessReprox(Path dir, String repositoriesYaml, MutableClock clock, UnaryOperator<ReproxServer.Builder> customize)
      throws Exception {
    this(dir, "repositories:\n" + repositoriesYaml, clock, clock, false, MemoryStorage.builder().clock(clock).build(),
        customize);
  }

  /** A whole configuration file ({@code yaml}), online, over a memory store. */
  public static InProcessReprox withConfig(Path dir, String yaml, MutableClock clock) throws Exception {
    return new InProcessReprox(dir, yaml, clock, clock, false, MemoryStorage.builder().clock(clock).build());
  }

  private InProcessReprox(Path dir, String yaml, MutableClock clock, Clock serverClock, boolean offline,
      Storage storage) throws Exception {
    this(dir, yaml, clock, serverClock, offline, storage, b -> b);
  }

  private InProcessReprox(Path dir, String yaml, MutableClock clock, Clock serverClock, boolean offline,
      Storage storage, UnaryOperator<ReproxServer.Builder> customize) throws Exception {
    this.clock = clock;
    Files.createDirectories(dir);
    Path config = dir.resolve("reprox.yaml");
    Files.writeString(config, yaml);
    ReproxConfig cfg = ConfigLoader.load(Optional.of(config), Map.of(), new ConfigLoader.Overrides(
        Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(dir.resolve("data")), Optional.of(offline)));
    this.storage = storage;
    this.config = cfg;
    this.server = customize.apply(ReproxServer.builder().config(cfg).storage(storage).clock(serverClock)
        .drainTimeout(Duration.ofSeconds(2))).start();
    // With a proxy the JDK client sends absolute-form requests and never resolves the target host.
    this.proxied = HttpClient.newBuilder()
        .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", server.address().getPort()))).build();
  }

  public URI base() {
    return proxyUri(null);
  }

  /** {@code http://[user@]127.0.0.1:<port>/}, as apt's {@code Acquire::http::Proxy}. */
  public URI proxyUri(String user) {
    return URI.create("http://" + (user == null ? "" : user + "@") + "127.0.0.1:" + server.address().getPort() + "/");
  }

  public HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(base().resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** GET {@code url} through reprox as a forward proxy. */
  public HttpResponse<byte[]> viaProxy(String url) throws IOException, InterruptedException {
    return proxied.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  public String metrics() throws IOException, InterruptedException {
    return new String(get("metrics").body(), StandardCharsets.UTF_8);
  }

  /**
   * {@code /metrics} once it shows every one of {@code lines} (or after 10 s, for the assertion to
   * say what it shows): a request is counted when its response has ended on the server's side,
   * which can be just after the client read the last byte.
   */
  public String metricsShowing(String... lines) throws IOException, InterruptedException {
    return MetricsPoll.until(this::metrics, text -> java.util.Arrays.stream(lines).allMatch(text::contains));
  }

  @Override
  public void close() {
    server.close();
  }
}
