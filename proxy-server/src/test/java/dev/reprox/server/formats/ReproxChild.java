package dev.reprox.server.formats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import dev.reprox.storage.rocks.RocksStorage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar target/reprox.jar serve} as a child JVM on a free loopback port, stderr to a
 * log file; SIGTERM on close, and the store can be opened afterwards to prove what was not stored.
 */
final class ReproxChild implements AutoCloseable {
  private static final Path JAR = Path.of("target", "reprox.jar").toAbsolutePath();

  private final Process process;
  private final Path data;
  private final Path log;
  private final String address;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private ReproxChild(Process process, Path data, Path log, String address) {
    this.process = process;
    this.data = data;
    this.log = log;
    this.address = address;
  }

  /** Starts reprox; its log goes to {@code target/formats-it/<name>.log} (kept after the test). */
  static ReproxChild serve(String name, Path config, Path data) throws Exception {
    Path log = Files.createDirectories(Path.of("target", "formats-it")).resolve(name + ".log").toAbsolutePath();
    Files.deleteIfExists(log);
    // A private copy: other builds in the same checkout may rewrite target/reprox.jar while the
    // child runs, and a JVM whose jar changes under it fails to load classes.
    Path jar = Files.copy(JAR, data.resolveSibling("reprox-" + name + ".jar"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
        "serve", "--config", config.toString(), "--data", data.toString(), "--listen", "127.0.0.1:0",
        "--drain-timeout", "2")
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
      try {
        for (String l; (l = out.readLine()) != null; ) {
          if (l.startsWith("listening on ")) {
            return l.substring("listening on ".length()).trim();
          }
        }
        return null;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    String address;
    try {
      address = line.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      throw new AssertionError("reprox did not start; log:\n" + logText(log), e);
    }
    assertThat(address).as("listening line; log:%n%s", logText(log)).isNotNull();
    return new ReproxChild(p, data, log, address);
  }

  String base() {
    return "http://" + address;
  }

  int port() {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
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
    return logText(log);
  }

  private static String logText(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** After {@link #close()}: which of {@code digests} (hex sha256) the store holds a blob of. */
  List<String> storedOf(List<String> digests) throws Exception {
    assertThat(process.isAlive()).as("store opened only after reprox exited").isFalse();
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

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("reprox did not exit within 30 s of SIGTERM; log:\n" + logText());
      }
    }
  }
}
