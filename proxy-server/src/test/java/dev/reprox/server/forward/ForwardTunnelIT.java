package dev.reprox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.ReproxServer;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.memory.MemoryStorage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code CONNECT} tunnels for {@code tunnel-allow} entries, through a real reprox in this JVM
 * (leak detection paranoid, checked by LeakGuard after the class) and plain sockets: an echo
 * target and a target that says one line and hangs up, both on loopback.
 */
class ForwardTunnelIT {
  private static final Duration IDLE = Duration.ofSeconds(2);

  @TempDir
  static Path dir;

  static ServerSocket echo;
  static ServerSocket hangUp;
  static ServerSocket silent;
  static int closedPort;
  static ReproxServer server;

  @BeforeAll
  static void start() throws Exception {
    echo = serve(ForwardTunnelIT::echo);
    hangUp = serve(s -> {
      s.getOutputStream().write(("hello " + readLine(s.getInputStream()) + "\n").getBytes(StandardCharsets.US_ASCII));
      s.close();
    });
    silent = serve(s -> s.getInputStream().read()); // keeps the connection open, says nothing
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort(); // nothing listens here once closed
    }
    Path config = dir.resolve("reprox.yaml");
    Files.writeString(config, "tunnel-allow:\n"
        + "  - 127.0.0.1:" + echo.getLocalPort() + "\n"
        + "  - 127.0.0.1:" + hangUp.getLocalPort() + "\n"
        + "  - 127.0.0.1:" + silent.getLocalPort() + "\n"
        + "  - 127.0.0.1:" + closedPort + "\n");
    ReproxConfig cfg = ConfigLoader.load(Optional.of(config), Map.of(), new ConfigLoader.Overrides(
        Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(dir.resolve("data")), Optional.of(false)));
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    server = ReproxServer.builder().config(cfg).storage(MemoryStorage.builder().clock(clock).build()).clock(clock)
        .drainTimeout(Duration.ofSeconds(2)).tunnelIdleTimeout(IDLE).start();
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    for (ServerSocket s : new ServerSocket[] {echo, hangUp, silent}) {
      if (s != null) {
        s.close();
      }
    }
  }

  @Test
  void connect_allowed_200ThenBytesBothWaysWithBackpressure() throws Exception {
    try (Socket client = connect(echo.getLocalPort())) {
      assertThat(readHead(client.getInputStream())).startsWith("HTTP/1.1 200 Connection established");
      OutputStream out = client.getOutputStream();
      out.write("ping\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(readLine(client.getInputStream())).isEqualTo("ping");

      // 8 MB, far beyond the 128 KiB write-buffer water marks and the socket buffers: the writer
      // blocks whenever reprox stops reading (the echo cannot write back faster than we read).
      byte[] payload = new byte[8 * 1024 * 1024];
      new Random(42).nextBytes(payload);
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          for (int off = 0; off < payload.length; off += 64 * 1024) {
            out.write(payload, off, Math.min(64 * 1024, payload.length - off));
          }
          out.flush();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      byte[] back = client.getInputStream().readNBytes(payload.length);
      writer.get(60, TimeUnit.SECONDS);
      assertThat(back).isEqualTo(payload);
    }
  }

  @Test
  void connect_targetCloses_clientClosedAfterTheLastBytes() throws Exception {
    try (Socket client = connect(hangUp.getLocalPort())) {
      assertThat(readHead(client.getInputStream())).startsWith("HTTP/1.1 200");
      client.getOutputStream().write("reprox\n".getBytes(StandardCharsets.US_ASCII));
      client.getOutputStream().flush();
      assertThat(readLine(client.getInputStream())).isEqualTo("hello reprox");
      assertThat(client.getInputStream().read()).as("end of stream: reprox closed the client side").isEqualTo(-1);
    }
  }

  @Test
  void connect_silentTarget_closedAfterIdleTimeout() throws Exception {
    try (Socket client = connect(silent.getLocalPort())) {
      assertThat(readHead(client.getInputStream())).startsWith("HTTP/1.1 200");
      long start = System.nanoTime();
      assertThat(client.getInputStream().read()).as("closed by the idle timeout").isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(IDLE.minusMillis(500));
    }
  }

  @Test
  void connect_notAllowed_403WithExplanation() throws Exception {
    try (Socket client = connect(echo.getLocalPort() == 1 ? 2 : 1)) {
      String head = readHead(client.getInputStream());
      assertThat(head).startsWith("HTTP/1.1 403");
      String body = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(body).contains("use http:// sources").contains("TLS tunnels cannot be cached");
    }
    try (Socket client = raw("CONNECT localhost:" + echo.getLocalPort() + " HTTP/1.1\r\nHost: x\r\n\r\n")) {
      assertThat(readHead(client.getInputStream())).as("allowed by address, not by another name of it")
          .startsWith("HTTP/1.1 403");
    }
  }

  @Test
  void connect_allowedButNothingListens_502AndClose() throws Exception {
    try (Socket client = connect(closedPort)) {
      assertThat(readHead(client.getInputStream())).startsWith("HTTP/1.1 502");
      String body = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(body).contains("CONNECT 127.0.0.1:" + closedPort).contains("failed");
    }
  }

  @Test
  void metrics_countTunnelsByOutcome() throws Exception {
    try (Socket client = connect(echo.getLocalPort())) {
      assertThat(readHead(client.getInputStream())).startsWith("HTTP/1.1 200");
    }
    try (Socket client = connect(1)) {
      assertThat(readHead(client.getInputStream())).startsWith("HTTP/1.1 403");
    }
    HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body()).containsPattern("reprox_tunnels_total\\{outcome=\"established\"} [1-9]")
        .containsPattern("reprox_tunnels_total\\{outcome=\"refused\"} [1-9]");
  }

  // ---- plumbing ----

  private interface Session {
    void run(Socket s) throws IOException;
  }

  /** A loopback server that runs {@code session} on a thread per accepted connection. */
  private static ServerSocket serve(Session session) throws IOException {
    ServerSocket ss = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(() -> {
      while (!ss.isClosed()) {
        try {
          Socket s = ss.accept();
          Thread t = new Thread(() -> {
            try (s) {
              session.run(s);
            } catch (IOException e) {
              // the peer went away: the session is over
            }
          });
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return; // closed
        }
      }
    }, "tunnel-target-" + ss.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
    return ss;
  }

  private static void echo(Socket s) throws IOException {
    s.getInputStream().transferTo(s.getOutputStream());
  }

  private static Socket connect(int port) throws IOException {
    return raw("CONNECT 127.0.0.1:" + port + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n");
  }

  private static Socket raw(String request) throws IOException {
    Socket s = new Socket("127.0.0.1", server.address().getPort());
    s.setSoTimeout(30_000);
    s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
    return s;
  }

  /** The response head up to the blank line, without reading a byte of what follows. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b; (b = in.read()) >= 0 && b != '\n'; ) {
      line.write(b);
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
