package dev.reprox.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprox.server.testing.ReproxProcess;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code reprox serve} with the built-in repositories (no config file) as a child JVM on a free
 * loopback port, for the live tests: the read API ({@code /-/api/repos/…}) and the log, where
 * forward mode writes one {@code build <label>: <repo>/@<T>/<path> (forward <url>)} line per
 * labelled request and the fill path one {@code Fill - fill …} line per upstream fetch.
 */
final class LiveReprox implements AutoCloseable {
  // -Dreprox.jar=… names another build of the jar: in a shared tree a concurrent package phase
  // may be rewriting target/reprox.jar.
  static final Path JAR = Path.of(System.getProperty("reprox.jar", "target/reprox.jar")).toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ReproxProcess process;
  private final HttpClient http = HttpClient.newHttpClient();

  private LiveReprox(ReproxProcess process) {
    this.process = process;
  }

  /** Our own copy of the jar: a concurrent package phase must not swap it between two runs. */
  static Path privateJar(Path dir) throws IOException {
    assertThat(JAR).as("run the package phase first (or -Dreprox.jar=…)").exists();
    return Files.copy(JAR, dir.resolve("reprox.jar"), StandardCopyOption.REPLACE_EXISTING);
  }

  // A loaded 2-core machine takes ~20 s to start the JVM with RocksDB; give it room.
  static LiveReprox serve(Path jar, Path data, Path log, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of(
        "serve", "--data", data.toString(), "--listen", "127.0.0.1:0", "--drain-timeout", "2"));
    args.addAll(List.of(extra));
    ProcessBuilder command = ReproxProcess.command(jar, List.of("-Xmx512m"), log, args.toArray(String[]::new));
    return new LiveReprox(ReproxProcess.start(command, log, Duration.ofSeconds(120)));
  }

  /** {@code host:port}, as a proxy or mirror URL needs it. */
  String address() {
    return process.address;
  }

  String base() {
    return process.base();
  }

  JsonNode json(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/" + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** The generation of {@code root} that reprox fetched last, from {@code /-/api/repos/<repo>/generations}. */
  Generation lastFetched(String repo, String root) throws Exception {
    Generation last = null;
    for (JsonNode g : json("-/api/repos/" + repo + "/generations?root=" + URLEncoder.encode(root, StandardCharsets.UTF_8))) {
      Generation candidate = new Generation(g.get("digest").asText(), Instant.parse(g.get("publishedAt").asText()),
          Instant.parse(g.get("lastFetchedAt").asText()));
      if (last == null || candidate.lastFetchedAt().isAfter(last.lastFetchedAt())) {
        last = candidate;
      }
    }
    assertThat(last).as("a recorded generation of %s/%s", repo, root).isNotNull();
    return last;
  }

  /**
   * {@code /-/api/repos/<repo>/resolve?root=…&at=…}: status and generation a request at T gets, and
   * whether T is pinned ({@code pinned}); a read, it fetches and pins nothing.
   */
  JsonNode resolve(String repo, String root, String at) throws Exception {
    return json("-/api/repos/" + repo + "/resolve?root=" + URLEncoder.encode(root, StandardCharsets.UTF_8) + "&at=" + at);
  }

  String log() throws IOException {
    return process.logText();
  }

  /** SIGTERM, wait, and fail if the child reported a leak. */
  @Override
  public void close() throws Exception {
    process.close();
  }

  record Generation(String digest, Instant publishedAt, Instant lastFetchedAt) {}
}
