package dev.reprox.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.testing.ReproxProcess;
import dev.reprox.testkit.apt.CommandResult;
import dev.reprox.testkit.apt.Mmdebstrap;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3's live test: {@code mmdebstrap --variant=essential bookworm} through the built-in
 * {@code debian} repository at {@code /debian/@T} against deb.debian.org, then again from the
 * same data directory with reprox {@code --offline}: the two tarballs have the same sha256. A third
 * run straight against deb.debian.org gives the wall time without reprox. reprox runs as a child
 * JVM ({@code target/reprox.jar serve}, no config file) on one fixed port for both runs, because
 * the mirror URL ends up in the tarball's sources.list.
 */
class LiveDebianIT {
  // -Dreprox.jar=… names another build of the jar: in a shared tree a concurrent package phase
  // may be rewriting target/reprox.jar.
  private static final Path JAR = Path.of(System.getProperty("reprox.jar", "target/reprox.jar")).toAbsolutePath();
  private static final Path KEYRING = Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");
  private static final URI DEBIAN = URI.create("http://deb.debian.org/debian");
  private static final DateTimeFormatter AT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final Pattern METRIC =
      Pattern.compile("(?m)^(reprox_\\w+)\\{([^}]*repository=\"debian\"[^}]*)} (\\S+)$");

  @TempDir
  Path tmp;

  @Test
  void essentialBookworm_liveThenOffline_sameTarball() throws Exception {
    assertThat(Mmdebstrap.installed()).as("mmdebstrap must be installed").isTrue();
    assertThat(KEYRING).as("debian-archive-keyring must be installed").exists();
    assertThat(JAR).as("run the package phase first (or -Dreprox.jar=…)").exists();
    String at = AT.format(Instant.now().minus(Duration.ofMinutes(5)));
    int port = freePort();
    URI mirror = URI.create("http://127.0.0.1:" + port + "/debian/@" + at);
    Path data = tmp.resolve("data");
    // Our own copy: a concurrent package phase must not swap the jar between the two runs.
    Path jar = Files.copy(JAR, tmp.resolve("reprox.jar"));

    Timed live;
    Figures liveFigures;
    HttpResponse<Void> liveRoot;
    try (Child reprox = Child.serve(jar, data, port, tmp.resolve("live.log"))) {
      live = mmdebstrap(mirror, tmp.resolve("live.tar"));
      liveFigures = Figures.of(reprox.get("metrics", HttpResponse.BodyHandlers.ofString()).body());
      liveRoot = reprox.get("debian/@" + at + "/dists/bookworm/InRelease", HttpResponse.BodyHandlers.discarding());
    }
    Timed offline;
    Figures offlineFigures;
    HttpResponse<Void> offlineRoot;
    try (Child reprox = Child.serve(jar, data, port, tmp.resolve("offline.log"), "--offline")) {
      offline = mmdebstrap(mirror, tmp.resolve("offline.tar"));
      offlineFigures = Figures.of(reprox.get("metrics", HttpResponse.BodyHandlers.ofString()).body());
      offlineRoot = reprox.get("debian/@" + at + "/dists/bookworm/InRelease", HttpResponse.BodyHandlers.discarding());
      assertThat(reprox.log()).as("offline reprox log").doesNotContain("Fill - fill").doesNotContain("(LIVE");
    }
    Timed direct = mmdebstrap(DEBIAN, tmp.resolve("direct.tar"));

    System.out.printf("LiveDebianIT @%s: live %.1f s (%s), offline %.1f s (%s), direct %.1f s; sha256 %s;"
            + " InRelease X-Reprox-Pin %s, generation %s, published %s%n",
        at, live.seconds(), liveFigures, offline.seconds(), offlineFigures, direct.seconds(), live.sha256(),
        liveRoot.headers().firstValue("X-Reprox-Pin").orElse("-"),
        liveRoot.headers().firstValue("X-Reprox-Generation").orElse("-"),
        liveRoot.headers().firstValue("X-Reprox-Published").orElse("-"));

    assertThat(offline.sha256()).as("offline tarball vs live tarball").isEqualTo(live.sha256());
    assertThat(liveFigures.misses()).as("the live run fetched from deb.debian.org").isPositive();
    assertThat(offlineFigures.misses()).as("the offline run fetched nothing").isZero();
    // apt pipelines 10 requests deep; "aborted" here meant reprox cut a pipelining connection.
    assertThat(liveFigures.other()).as("live requests neither hit nor miss (aborted, errors)").isZero();
    assertThat(offlineFigures.other()).as("offline requests neither hit nor miss (aborted, errors)").isZero();
    assertThat(offlineFigures.hits()).as("the offline run was served from the store").isPositive();
    assertThat(liveRoot.statusCode()).isEqualTo(200);
    assertThat(liveRoot.headers().firstValue("X-Reprox-Pin")).hasValueSatisfying(
        pin -> assertThat(pin).isIn("proven", "unproven", "first-use"));
    assertThat(offlineRoot.headers().firstValue("X-Reprox-Generation")).as("pin kept across the restart")
        .isEqualTo(liveRoot.headers().firstValue("X-Reprox-Generation"));
  }

  private Timed mmdebstrap(URI mirror, Path output) throws Exception {
    long start = System.nanoTime();
    CommandResult result = Mmdebstrap.builder().suite("bookworm").variant("essential").mirror(mirror).keyring(KEYRING)
        .sourceDateEpoch(1_700_000_000L).output(output).timeout(Duration.ofMinutes(4)).tryRun();
    double seconds = (System.nanoTime() - start) / 1e9;
    result.requireOk("mmdebstrap --variant=essential bookworm from " + mirror);
    return new Timed(seconds, sha256(output));
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private record Timed(double seconds, String sha256) {}

  /** The debian repository's request counts by outcome and bytes served, from {@code /metrics}. */
  private record Figures(long hits, long misses, long other, long servedBytes) {
    static Figures of(String metrics) {
      long hits = 0;
      long misses = 0;
      long other = 0;
      long served = 0;
      Matcher m = METRIC.matcher(metrics);
      while (m.find()) {
        long value = (long) Double.parseDouble(m.group(3));
        if (m.group(1).equals("reprox_served_bytes_total")) {
          served += value;
        } else if (m.group(1).equals("reprox_requests_seconds_count")) {
          if (m.group(2).contains("outcome=\"hit\"")) {
            hits += value;
          } else if (m.group(2).contains("outcome=\"miss\"")) {
            misses += value;
          } else {
            other += value;
          }
        }
      }
      return new Figures(hits, misses, other, served);
    }

    @Override
    public String toString() {
      return String.format("%d requests: %d hit, %d miss, %d other; %.1f MB", hits + misses + other, hits, misses,
          other, servedBytes / 1e6);
    }
  }

  /** {@code java -jar target/reprox.jar serve} with the built-in repositories; stderr to a log file. */
  private static final class Child implements AutoCloseable {
    private final ReproxProcess process;
    private final URI base;
    private final HttpClient http = HttpClient.newHttpClient();

    private Child(ReproxProcess process, URI base) {
      this.process = process;
      this.base = base;
    }

    // A loaded 2-core machine takes ~20 s to start the JVM with RocksDB; give it room.
    static Child serve(Path jar, Path data, int port, Path log, String... extra) throws Exception {
      List<String> args = new ArrayList<>(List.of(
          "serve", "--data", data.toString(), "--listen", "127.0.0.1:" + port, "--drain-timeout", "2"));
      args.addAll(List.of(extra));
      ProcessBuilder command = ReproxProcess.command(jar, List.of("-Xmx512m"), log, args.toArray(String[]::new));
      return new Child(ReproxProcess.start(command, log, Duration.ofSeconds(120)),
          URI.create("http://127.0.0.1:" + port + "/"));
    }

    <T> HttpResponse<T> get(String path, HttpResponse.BodyHandler<T> body) throws Exception {
      return http.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), body);
    }

    String log() throws IOException {
      return process.logText();
    }

    /** SIGTERM, wait, and fail if the child reported a leak. */
    @Override
    public void close() throws Exception {
      process.close();
    }
  }
}
