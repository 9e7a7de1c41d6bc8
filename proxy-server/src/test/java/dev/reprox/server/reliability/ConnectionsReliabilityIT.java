package dev.reprox.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.ConfigLoader;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.ReproxServer;
import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Ref;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection hygiene on raw loopback sockets against an in-process server: deep pipelining meets
 * backpressure, not a reset, and max-connections refuses the surplus while health checks answer.
 */
class ConnectionsReliabilityIT {
  private static final byte[] BODY = new byte[2500];

  @TempDir
  Path dir;

  private Storage storage;
  private ReproxServer server;

  private void start(String extraYaml, int reserve) throws Exception {
    new Random(9).nextBytes(BODY);
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    storage = MemoryStorage.builder().clock(clock).build();
    BlobInfo info;
    try (BlobWriter w = storage.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(BODY));
      info = w.commit(null, BODY.length);
    }
    storage.refs().put(new Ref("test", "README", info.digest(), clock.instant()));
    Path config = dir.resolve("reprox.yaml");
    Files.writeString(config, extraYaml + "repositories:\n  test:\n    format: apt\n"
        + "    upstream: http://127.0.0.1:9/test\n    keyring: none\n");
    ReproxConfig cfg = ConfigLoader.load(Optional.of(config), Map.of(), new ConfigLoader.Overrides(
        Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of(dir.resolve("data")), Optional.of(true)));
    server = ReproxServer.builder().config(cfg).storage(storage).clock(clock).connectionReserve(reserve)
        .drainTimeout(Duration.ofSeconds(2)).start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void twoHundredPipelinedGets_oneWrite_allAnsweredInOrder() throws Exception {
    start("", 16);
    StringBuilder requests = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      requests.append(i % 2 == 0 ? "GET /test/README" : "GET /healthz").append(" HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    RawHttp.Exchange ex = RawHttp.send("127.0.0.1", server.address().getPort(),
        requests.toString().getBytes(StandardCharsets.ISO_8859_1), 5_000);

    assertThat(ex.responses()).hasSize(200);
    for (int i = 0; i < 200; i++) {
      RawHttp.Response r = ex.responses().get(i);
      assertThat(r.status()).as("response %d", i).isEqualTo(200);
      if (i % 2 == 0) {
        assertThat(r.body()).as("response %d", i).isEqualTo(BODY);
      } else {
        assertThat(r.text()).as("response %d", i).isEqualTo("ok\n");
      }
    }
    assertThat(ex.closedByServer()).isFalse();
  }

  @Test
  void maxConnections_reserveAnswersHealthOnly_pastItClosedAtAccept() throws Exception {
    start("max-connections: 2\n", 2);
    int port = server.address().getPort();
    List<Socket> held = new ArrayList<>();
    try {
      // Two served connections, each proven counted by an answered request.
      for (int i = 0; i < 2; i++) {
        Socket s = open(port);
        held.add(s);
        assertThat(exchange(s, "GET /test/README HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
      }
      // Two more land in the reserve (accepted in order), the fifth is closed at accept.
      Socket reserved1 = open(port);
      Socket reserved2 = open(port);
      held.add(reserved1);
      held.add(reserved2);
      try (Socket refused = open(port)) {
        refused.setSoTimeout(5_000);
        assertThat(readsEndOfStream(refused)).as("closed at accept").isTrue();
      }
      RawHttp.Response busy = exchange(reserved1, "GET /test/README HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(busy.status()).isEqualTo(503);
      assertThat(busy.text()).contains("max-connections");
      assertThat(busy.headers()).containsEntry("connection", "close").containsEntry("x-content-type-options", "nosniff");
      RawHttp.Response health = exchange(reserved2, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.headers()).containsEntry("connection", "close");
      // The served connections are untouched.
      assertThat(exchange(held.get(0), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
      assertThat(exchange(held.get(1), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").text())
          .containsPattern("reprox_connections_refused_total\\{how=\"closed\",?\\} 1.0")
          .containsPattern("reprox_connections_refused_total\\{how=\"503\",?\\} 1.0");
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  private static Socket open(int port) throws Exception {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(5_000);
    return s;
  }

  private static boolean readsEndOfStream(Socket s) throws Exception {
    try {
      return s.getInputStream().read() < 0;
    } catch (SocketException reset) {
      return true;
    }
  }

  /** One request on a kept-open socket, and its response. */
  private static RawHttp.Response exchange(Socket s, String request) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(request.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return RawHttp.readOne(s.getInputStream());
  }
}
