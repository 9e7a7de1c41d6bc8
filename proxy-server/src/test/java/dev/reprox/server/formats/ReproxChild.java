package dev.reprox.server.formats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.testing.ReproxProcess;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import dev.reprox.storage.rocks.RocksStorage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code java -jar target/reprox.jar serve} as a child JVM on a free loopback port, stderr to a
 * log file; SIGTERM on close, and the store can be opened afterwards to prove what was not stored.
 */
final class ReproxChild implements AutoCloseable {
  private final ReproxProcess process;
  private final Path data;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private ReproxChild(ReproxProcess process, Path data) {
    this.process = process;
    this.data = data;
  }

  /** Starts reprox; its log goes to {@code target/formats-it/<name>.log} (kept after the test). */
  static ReproxChild serve(String name, Path config, Path data) throws Exception {
    Path log = Files.createDirectories(Path.of("target", "formats-it")).resolve(name + ".log").toAbsolutePath();
    Files.deleteIfExists(log);
    Path jar = ReproxProcess.privateJar(data.resolveSibling("reprox-" + name + ".jar"));
    // Full JIT: the built-in keyrings' RSA checks at start-up are 3x slower on C1 alone (ReproxProcess).
    ProcessBuilder command = ReproxProcess.command(jar, List.of("-Xmx256m"), log,
        "serve", "--config", config.toString(), "--data", data.toString(), "--listen", "127.0.0.1:0",
        "--drain-timeout", "2");
    return new ReproxChild(ReproxProcess.start(command, log, Duration.ofSeconds(60)), data);
  }

  String base() {
    return process.base();
  }

  int port() {
    return process.port();
  }

  /** GET {@code path} on reprox: status and body. */
  HttpResponse<byte[]> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The generations API's JSON for {@code root} of {@code repo}. */
  String generations(String repo, String root) throws Exception {
    HttpResponse<byte[]> r = get("/-/api/repos/" + repo + "/generations?root=" + root);
    assertThat(r.statusCode()).as("generations API").isEqualTo(200);
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  String logText() {
    try {
      return process.logText();
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** After {@link #close()}: which of {@code digests} (hex sha256) the store holds a blob of. */
  List<String> storedOf(List<String> digests) throws Exception {
    assertThat(process.process.isAlive()).as("store opened only after reprox exited").isFalse();
    try (Storage s = RocksStorage.builder().path(data.resolve("store")).build()) {
      List<String> out = new java.util.ArrayList<>();
      for (String hex : digests) {
        if (s.blobs().stat(Digest.sha256(hex)).isPresent()) {
          out.add(hex);
        }
      }
      return out;
    }
  }

  /** SIGTERM and wait; the formats tests do not scan this child's log for leaks. */
  @Override
  public void close() throws Exception {
    process.stop();
  }
}
