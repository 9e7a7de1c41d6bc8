package dev.reprox.server.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import dev.reprox.server.testing.InProcessReprox;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository with {@code keyring: none} keeps only the paths its format classifies: an
 * arbitrary path is relayed from the upstream to the client and not stored (no blob, no ref);
 * its root index and packages still are. An upstream cut mid-body cuts the client.
 */
class UnverifiedRelayTest {
  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));

  @Test
  void arbitraryPaths_relayedNotStored_rootAndPackageStillStored() throws Exception {
    AptRepoBuilder builder = AptRepoBuilder.in(tmp.resolve("repo")).date(Instant.parse("2024-03-01T00:00:00Z"))
        .add("foo", "1.0");
    AptGeneration gen = builder.publish();
    byte[] readme = "an arbitrary file\n".getBytes(StandardCharsets.UTF_8);
    byte[] big = new byte[8 * 1024 * 1024 + 17]; // many relay windows: the upstream is held back by the client
    new Random(42).nextBytes(big);
    Files.createDirectories(builder.root().resolve("some"));
    Files.write(builder.root().resolve("some/README"), readme);
    Files.write(builder.root().resolve("some/big.bin"), big);
    try (StaticServer upstream = StaticServer.serve(builder.root());
        InProcessReprox reprox = new InProcessReprox(tmp.resolve("reprox"), "  unsig:\n    format: apt\n"
            + "    upstream: " + upstream.baseUri().toString().replaceAll("/$", "") + "\n    keyring: none\n",
            clock, false)) {
      for (int i = 0; i < 2; i++) {
        HttpResponse<byte[]> r = reprox.get("unsig/some/README");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(readme);
        assertThat(r.headers().firstValue("X-Reprox-Cache")).hasValue("MISS");
        assertThat(r.headers().firstValue("X-Reprox-Verified")).hasValue("false");
        assertThat(r.headers().firstValue("ETag")).isEmpty();
      }
      assertThat(upstream.requestsFor("/some/README")).as("not stored: asked again").hasSize(2);
      HttpResponse<byte[]> r = reprox.get("unsig/some/big.bin");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(big.length);
      assertThat(r.body()).isEqualTo(big);

      assertThat(reprox.storage.refs().get("unsig", "some/README")).isEmpty();
      assertThat(reprox.storage.refs().get("unsig", "some/big.bin")).isEmpty();
      assertThat(reprox.storage.blobs().stat(Digest.compute(readme))).isEmpty();
      assertThat(reprox.storage.blobs().stat(Digest.compute(big))).isEmpty();
      assertThat(blobCount(reprox)).as("nothing stored").isZero();

      // Classified paths of the same repository are still recorded.
      String inRelease = "dists/" + builder.suite() + "/InRelease";
      assertThat(reprox.get("unsig/" + inRelease).statusCode()).isEqualTo(200);
      String packages = gen.files().keySet().stream().filter(f -> f.endsWith("/Packages")).findFirst().orElseThrow();
      assertThat(reprox.get("unsig/" + packages).statusCode()).isEqualTo(200); // what a client reads first
      AptGeneration.BuiltDeb deb = gen.deb("foo");
      HttpResponse<byte[]> pkg = reprox.get("unsig/" + deb.poolPath());
      assertThat(pkg.statusCode()).as(new String(pkg.body(), StandardCharsets.UTF_8)).isEqualTo(200);
      assertThat(reprox.storage.blobs().stat(Digest.sha256(gen.inReleaseSha256()))).isPresent();
      assertThat(reprox.storage.blobs().stat(Digest.sha256(deb.sha256()))).isPresent();
      assertThat(reprox.storage.blobs().stat(Digest.sha256(gen.file(packages).sha256()))).isPresent();
    }
  }

  @Test
  void headOfArbitraryPath_answered_upstreamLetGo_nothingStored() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("repo"));
    Files.write(root.resolve("file.bin"), new byte[3 * 1024 * 1024]);
    try (StaticServer upstream = StaticServer.serve(root);
        InProcessReprox reprox = new InProcessReprox(tmp.resolve("reprox"), "  unsig:\n    format: apt\n"
            + "    upstream: " + upstream.baseUri().toString().replaceAll("/$", "") + "\n    keyring: none\n",
            clock, false)) {
      HttpResponse<Void> head = HttpClient.newHttpClient().send(HttpRequest.newBuilder(reprox.base()
          .resolve("unsig/file.bin")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.discarding());
      assertThat(head.statusCode()).isEqualTo(200);
      assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(3 * 1024 * 1024);
      assertThat(reprox.get("unsig/file.bin").body()).hasSize(3 * 1024 * 1024);
      assertThat(blobCount(reprox)).isZero();
    }
  }

  @Test
  void upstreamCutMidBody_clientCut_nothingStored() throws Exception {
    try (CuttingUpstream upstream = new CuttingUpstream(1024 * 1024, 300 * 1024);
        InProcessReprox reprox = new InProcessReprox(tmp.resolve("reprox"), "  unsig:\n    format: apt\n"
            + "    upstream: http://127.0.0.1:" + upstream.port() + "/up\n    keyring: none\n", clock, false)) {
      assertThatThrownBy(() -> reprox.get("unsig/some/cut.bin")).isInstanceOf(IOException.class);
      assertThat(blobCount(reprox)).isZero();
    }
  }

  @Test
  void offline_503_atT_404SayingWhy_upstreamNotAsked() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("repo"));
    Files.writeString(root.resolve("README"), "x");
    String yaml = "  unsig:\n    format: apt\n    upstream: PLACEHOLDER\n    keyring: none\n";
    try (StaticServer upstream = StaticServer.serve(root)) {
      String repo = yaml.replace("PLACEHOLDER", upstream.baseUri().toString().replaceAll("/$", ""));
      try (InProcessReprox reprox = new InProcessReprox(tmp.resolve("offline"), repo, clock, true)) {
        HttpResponse<byte[]> r = reprox.get("unsig/README");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("unsig/README").contains("offline");
      }
      try (InProcessReprox reprox = new InProcessReprox(tmp.resolve("live"), repo, clock, false)) {
        assertThat(reprox.get("unsig/README").statusCode()).isEqualTo(200);
        HttpResponse<byte[]> r = reprox.get("unsig/@20241231T000000Z/README");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("cannot be pinned")
            .contains("has no keyring: such paths are relayed, never stored");
      }
      assertThat(upstream.requestsFor("/README")).as("only the live request").hasSize(1);
    }
  }

  private static long blobCount(InProcessReprox reprox) throws IOException {
    return reprox.storage.blobs().scrub(damage -> { }).blobsChecked();
  }

  /** Answers every request 200 with Content-Length {@code length}, sends {@code sent} bytes, closes. */
  static final class CuttingUpstream implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread acceptor;

    CuttingUpstream(int length, int sent) throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      acceptor = new Thread(() -> {
        while (!socket.isClosed()) {
          try (Socket s = socket.accept()) {
            InputStream in = s.getInputStream();
            int matched = 0;
            byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            while (matched < end.length) {
              int b = in.read();
              if (b < 0) {
                break;
              }
              matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
            }
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[sent]);
            out.flush();
          } catch (IOException e) {
            // closed by the test, or the peer went away: next connection
          }
        }
      }, "cutting-upstream");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
