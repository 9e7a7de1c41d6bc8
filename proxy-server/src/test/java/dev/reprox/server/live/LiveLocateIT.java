package dev.reprox.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.ReproxServer;
import dev.reprox.storage.memory.MemoryStorage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's live test: an empty store, the built-in {@code debian} repository against
 * deb.debian.org, only {@code /debian/@T/dists/bookworm/InRelease} fetched, then
 * {@code /debian/@T/pool/main/h/hello/hello_2.10-3_amd64.deb}: reprox fetches the Packages that
 * names it on its own and serves the .deb with the SHA-256 that Packages lists, pinned.
 */
class LiveLocateIT {
  private static final String DEB = "pool/main/h/hello/hello_2.10-3_amd64.deb";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();

  @TempDir
  Path tmp;

  @Test
  void emptyStore_onlyInRelease_thenHelloDebAtT_servedWithTheSha256ItsPackagesLists() throws Exception {
    ReproxConfig cfg = ConfigLoader.load(Optional.empty(), Map.of(), new ConfigLoader.Overrides(
        Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(tmp.resolve("data")), Optional.of(false)));
    String at = "debian/@" + Instant.now().getEpochSecond() + "/";
    try (ReproxServer reprox = ReproxServer.builder().config(cfg)
        .storage(MemoryStorage.builder().clock(Clock.systemUTC()).build()).start()) {
      URI base = URI.create("http://127.0.0.1:" + reprox.address().getPort() + "/");
      HttpResponse<byte[]> root = get(base.resolve(at + "dists/bookworm/InRelease"));
      assertThat(root.statusCode()).as(new String(root.body(), StandardCharsets.UTF_8)).isEqualTo(200);

      long start = System.nanoTime();
      HttpResponse<byte[]> deb = get(base.resolve(at + DEB));
      double seconds = (System.nanoTime() - start) / 1e9;

      assertThat(deb.statusCode()).as(new String(deb.body(), StandardCharsets.UTF_8)).isEqualTo(200);
      assertThat(deb.headers().firstValue("X-Reprox-Pin")).isPresent();
      String expected = sha256Listed(root.body());
      assertThat(sha256(deb.body())).as("the SHA-256 bookworm's main/binary-amd64 Packages lists")
          .isEqualTo(expected);
      System.out.printf("LiveLocateIT: hello .deb at T in %.1f s (listing fetched, indexed, package filled);"
          + " pin %s, generation %s%n", seconds, deb.headers().firstValue("X-Reprox-Pin").orElse("-"),
          deb.headers().firstValue("X-Reprox-Generation").orElse("-"));
    }
  }

  /** Independently of reprox: the Packages.gz the InRelease names, straight from the mirror. */
  private static String sha256Listed(byte[] inRelease) throws Exception {
    String text = new String(inRelease, StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("(?m)^ ([0-9a-f]{64}) +\\d+ main/binary-amd64/Packages\\.gz$")
        .matcher(text.substring(text.indexOf("SHA256:")));
    assertThat(m.find()).as("InRelease lists main/binary-amd64/Packages.gz").isTrue();
    HttpResponse<byte[]> packages = get(URI.create("http://deb.debian.org/debian/dists/bookworm/main/binary-amd64/"
        + "by-hash/SHA256/" + m.group(1)));
    assertThat(packages.statusCode()).isEqualTo(200);
    String listing;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(packages.body()))) {
      listing = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    int at = listing.indexOf("Filename: " + DEB + "\n");
    assertThat(at).as("Packages names " + DEB).isPositive();
    Matcher sha = Pattern.compile("(?m)^SHA256: ([0-9a-f]{64})$").matcher(listing);
    assertThat(sha.find(at)).isTrue();
    return sha.group(1);
  }

  private static HttpResponse<byte[]> get(URI uri) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(3)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
