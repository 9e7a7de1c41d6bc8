package dev.reprox.server.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.reprox.pinning.TimeSpec;
import dev.reprox.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;

/**
 * {@code serve --train}: the launcher's training run for the class-data archive (issue 14). The
 * archive holds the classes a run loaded; a training run that only started the server and asked
 * for {@code /healthz} left the whole cold path out of it (the upstream fetch, the fill, the
 * listing's index, the deferred package: about 300 classes and lambdas loaded from the jar inside
 * the first apt run's time). Here the server serves a repository of its own, {@code train}, whose
 * upstream is a loopback listener in this process serving a bundled sample (a Release clearsigned
 * by a throwaway key, a small Packages.xz, one package of random bytes; see {@code
 * train/SOURCES.md}); the run then walks it as apt does and stops the server. The data directory
 * is the caller's scratch directory; nothing leaves this process but the archive the JVM writes.
 */
final class Training implements AutoCloseable {
  private static final String RESOURCES = "train/";
  static final String ROOT = "dists/train/InRelease";
  static final String LISTING = "dists/train/main/binary-amd64/Packages.xz";
  static final String PACKAGE = "pool/main/r/reprox-train/reprox-train_1.0_all.deb";
  /** The SHA-256 the sample's listing gives {@link #PACKAGE}, checked on the bytes served. */
  static final String PACKAGE_SHA256 = "98bbc8b8708d4528c40211b962bdb1f89fdf75c1a807eddb6f4ef7b4434452ed";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final HttpServer upstream;
  private final Path config;

  private Training(HttpServer upstream, Path config) {
    this.upstream = upstream;
    this.config = config;
  }

  /** The sample's upstream listening on loopback, and a configuration naming it, written in {@code dir}. */
  static Training start(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path keyring = dir.resolve("train-keyring.gpg");
    Files.write(keyring, resource("keyring.gpg"));
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/debian/", Training::answer);
    server.start();
    try {
      Path config = dir.resolve("train.yaml");
      Files.writeString(config, "repositories:\n"
          + "  train:\n"
          + "    format: apt\n"
          + "    upstream: " + origin(server.getAddress()) + "/debian\n"
          + "    keyring: " + keyring.toAbsolutePath() + "\n");
      return new Training(server, config);
    } catch (IOException | RuntimeException e) {
      server.stop(0);
      throw e;
    }
  }

  Path config() {
    return config;
  }

  /**
   * The walk through the server at {@code address}, as a first apt run goes (the root, its
   * listing, a package the listing names) and a second one (the package again, a request at a
   * time T, the repository API); each answer is checked, so a training that failed says so
   * instead of archiving a path that never ran.
   */
  void exercise(InetSocketAddress address, Clock clock, PrintWriter out) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    String base = origin(address);
    get(client, base + "/healthz");
    same(get(client, base + "/train/" + ROOT), ROOT);
    same(get(client, base + "/train/" + LISTING), LISTING);
    for (int round = 0; round < 2; round++) { // a miss (a fill), then a hit
      String sha256 = Digest.compute(get(client, base + "/train/" + PACKAGE)).hex();
      if (!sha256.equals(PACKAGE_SHA256)) {
        throw new IOException(PACKAGE + " served with SHA-256 " + sha256 + ", its listing says " + PACKAGE_SHA256);
      }
    }
    String t = TimeSpec.format(clock.instant());
    same(get(client, base + "/train/@" + t + "/" + ROOT), ROOT);
    // The read API may be closed by the operator's configuration (401): any answer will do.
    client.send(HttpRequest.newBuilder(URI.create(base + "/-/api/repos/train/generations?root=" + ROOT))
        .timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.discarding());
    out.println("training: root, listing, package (miss and hit), root at " + t + ", repository API: all answered");
    out.flush();
  }

  /** {@code http://HOST:PORT} of a bound address (an IPv6 literal in brackets, as {@link URI} writes it). */
  private static String origin(InetSocketAddress address) throws IOException {
    try {
      return new URI("http", null, address.getAddress().getHostAddress(), address.getPort(), null, null, null).toString();
    } catch (URISyntaxException e) {
      throw new IOException("no URI for " + address, e);
    }
  }

  private static byte[] get(HttpClient client, String url) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + url + " answered " + r.statusCode() + ": "
          + new String(r.body(), 0, Math.min(r.body().length, 200), StandardCharsets.UTF_8).strip());
    }
    return r.body();
  }

  private static void same(byte[] served, String path) throws IOException {
    if (!Arrays.equals(served, resource("debian/" + path))) {
      throw new IOException(path + " served " + served.length + " bytes that are not the sample's");
    }
  }

  /** The sample's files below {@code /debian/}; anything else is 404. */
  private static void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath().substring("/debian/".length());
      byte[] body = path.contains("..") ? null : resourceOrNull("debian/" + path);
      boolean head = "HEAD".equals(exchange.getRequestMethod());
      if (body == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
      exchange.sendResponseHeaders(200, head ? -1 : body.length);
      if (!head) {
        try (OutputStream o = exchange.getResponseBody()) {
          o.write(body);
        }
      }
    }
  }

  private static byte[] resource(String name) throws IOException {
    byte[] bytes = resourceOrNull(name);
    if (bytes == null) {
      throw new IOException("resource " + RESOURCES + name + " missing from the jar");
    }
    return bytes;
  }

  private static byte[] resourceOrNull(String name) throws IOException {
    try (InputStream in = Training.class.getResourceAsStream(RESOURCES + name)) {
      return in == null ? null : in.readAllBytes();
    }
  }

  @Override
  public void close() {
    upstream.stop(0);
  }
}
