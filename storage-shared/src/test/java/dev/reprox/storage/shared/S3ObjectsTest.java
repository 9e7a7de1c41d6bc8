package dev.reprox.storage.shared;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.reprox.storage.Digest;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What the S3 client puts on the wire, seen by a recording HTTP server: bodies go plain with their
 * SHA-256 signed, never as aws-chunked streams (Ceph RGW 16 answers 400 to an empty one).
 */
class S3ObjectsTest {
  record Seen(String method, String path, String contentEncoding, String contentSha256, byte[] body) {
  }

  @TempDir
  Path dir;

  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private HttpServer server;
  private S3Client client;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          exchange.getRequestHeaders().getFirst("Content-Encoding"),
          exchange.getRequestHeaders().getFirst("x-amz-content-sha256"), body));
      exchange.getResponseHeaders().add("ETag", "\"etag\"");
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
    client = SharedStorage.builder()
        .s3(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "bkt", "us-east-1", true, "ak", "sk")
        .s3Client();
  }

  @AfterEach
  void stop() {
    client.close();
    server.stop(0);
  }

  @Test
  void upload_emptyBlobOverHttp_sendsPlainSignedBody() throws Exception {
    Path file = Files.write(dir.resolve("empty"), new byte[0]);
    Digest digest = Digest.compute(new byte[0]);

    new S3Objects(client, "bkt", 1 << 20, 1 << 20).upload(digest, file, 0);

    assertThat(seen).singleElement().satisfies(s -> {
      assertThat(s.method()).isEqualTo("PUT");
      assertThat(s.contentEncoding()).as("Content-Encoding").isNull();
      assertThat(s.contentSha256()).isEqualTo(digest.hex());
      assertThat(s.body()).isEmpty();
    });
  }

  @Test
  void upload_smallBlobOverHttp_bodyIsTheFileUnframed() throws Exception {
    byte[] data = "a package body".getBytes(StandardCharsets.UTF_8);
    Path file = Files.write(dir.resolve("blob"), data);
    Digest digest = Digest.compute(data);

    new S3Objects(client, "bkt", 1 << 20, 1 << 20).upload(digest, file, data.length);

    assertThat(seen).singleElement().satisfies(s -> {
      assertThat(s.contentEncoding()).as("Content-Encoding").isNull();
      assertThat(s.contentSha256()).isEqualTo(digest.hex());
      assertThat(s.body()).isEqualTo(data);
    });
  }
}
