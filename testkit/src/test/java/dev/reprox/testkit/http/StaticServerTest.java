package dev.reprox.testkit.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticServerTest {

  private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-01T00:00:00Z"), ZoneOffset.UTC);

  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir
  Path tmp;

  @Test
  void get_existingFile_servesBytesAndLogsRequest() throws Exception {
    Files.createDirectories(tmp.resolve("a/b"));
    Files.writeString(tmp.resolve("a/b/file.txt"), "hello");
    try (StaticServer server = StaticServer.serve(tmp, CLOCK)) {
      HttpResponse<String> response = get(server, "a/b/file.txt");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("hello");
      assertThat(server.requestsFor("a/b/file.txt")).singleElement()
          .isEqualTo(new StaticServer.Request("GET", "/a/b/file.txt", 200, CLOCK.instant()));
    }
  }

  @Test
  void head_existingFile_contentLengthWithoutBody() throws Exception {
    Files.writeString(tmp.resolve("f"), "12345");
    try (StaticServer server = StaticServer.serve(tmp, CLOCK)) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(server.baseUri().resolve("f"))
          .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Length")).hasValue("5");
      assertThat(response.body()).isEmpty();
    }
  }

  @Test
  void get_missingDirectoryOrHidden_notFound() throws Exception {
    Files.createDirectories(tmp.resolve("dir"));
    Files.writeString(tmp.resolve("dir/.tmp"), "half written");
    try (StaticServer server = StaticServer.serve(tmp, CLOCK)) {
      assertThat(get(server, "absent").statusCode()).isEqualTo(404);
      assertThat(get(server, "dir").statusCode()).isEqualTo(404);
      assertThat(get(server, "dir/.tmp").statusCode()).isEqualTo(404);
      assertThat(server.requests()).extracting(StaticServer.Request::status).containsOnly(404);
    }
  }

  @Test
  void root_swapped_servesNewTree() throws Exception {
    Files.createDirectories(tmp.resolve("g1"));
    Files.createDirectories(tmp.resolve("g2"));
    Files.writeString(tmp.resolve("g1/f"), "one");
    Files.writeString(tmp.resolve("g2/f"), "two");
    try (StaticServer server = StaticServer.serve(tmp.resolve("g1"), CLOCK)) {
      assertThat(get(server, "f").body()).isEqualTo("one");
      server.root(tmp.resolve("g2"));
      assertThat(get(server, "f").body()).isEqualTo("two");
    }
  }

  @Test
  void stopThenStart_refusesThenServesOnSamePort() throws Exception {
    Files.writeString(tmp.resolve("f"), "x");
    try (StaticServer server = StaticServer.serve(tmp, CLOCK)) {
      URI before = server.baseUri();
      server.stop();
      assertThat(server.running()).isFalse();
      assertThatThrownBy(() -> get(server, "f")).isInstanceOf(ConnectException.class);

      server.start();

      assertThat(server.baseUri()).isEqualTo(before);
      assertThat(get(server, "f").body()).isEqualTo("x");
    }
  }

  private HttpResponse<String> get(StaticServer server, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(server.baseUri().resolve(path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
