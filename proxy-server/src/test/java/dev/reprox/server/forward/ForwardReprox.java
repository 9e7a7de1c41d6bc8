package dev.reprox.server.forward;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** A reprox in this JVM over a memory store, plus a JDK client that uses it as its HTTP proxy. */
final class ForwardReprox implements AutoCloseable {
  final MutableClock clock;
  final Storage storage;
  final ReproxServer server;
  private final HttpClient direct = HttpClient.newHttpClient();
  private final HttpClient proxied;

  ForwardReprox(Path dir, String yaml, MutableClock clock) throws Exception {
    this.clock = clock;
    Files.createDirectories(dir);
    Path config = dir.resolve("reprox.yaml");
    Files.writeString(config, yaml);
    ReproxConfig cfg = ConfigLoader.load(Optional.of(config), Map.of(), new ConfigLoader.Overrides(
        Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(dir.resolve("data")), Optional.of(false)));
    this.storage = MemoryStorage.builder().clock(clock).build();
    this.server = ReproxServer.builder().config(cfg).storage(storage).clock(clock)
        .drainTimeout(Duration.ofSeconds(2)).start();
    // With a proxy the JDK client sends absolute-form requests and never resolves the target host.
    this.proxied = HttpClient.newBuilder()
        .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", server.address().getPort()))).build();
  }

  /** {@code http://[user@]127.0.0.1:<port>/}, as apt's {@code Acquire::http::Proxy}. */
  URI proxyUri(String user) {
    return URI.create("http://" + (user == null ? "" : user + "@") + "127.0.0.1:" + server.address().getPort() + "/");
  }

  URI base() {
    return proxyUri(null);
  }

  HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
    return direct.send(HttpRequest.newBuilder(base().resolve(path)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** GET {@code url} through reprox as a forward proxy. */
  HttpResponse<byte[]> viaProxy(String url) throws IOException, InterruptedException {
    return proxied.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Override
  public void close() {
    server.close();
  }
}
