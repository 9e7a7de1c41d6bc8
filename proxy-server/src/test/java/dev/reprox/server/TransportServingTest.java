package dev.reprox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.testing.CapturedLog;
import dev.reprox.server.testing.InProcessReprox;
import dev.reprox.storage.MutableClock;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.apt.DebPackage;
import dev.reprox.testkit.http.StaticServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every {@code server.transport} serves the same: a signed apt fixture's GET, HEAD and Range, an
 * 8 MiB package streamed in many chunks, and a CONNECT tunnel whose upstream socket runs on the
 * client's event loop. A transport this host cannot run refuses to start instead (both branches
 * assert; none is skipped).
 */
class TransportServingTest {
  private static final Instant T1 = Instant.parse("2026-03-01T00:00:00Z");
  private static final int BIG = 8 * 1024 * 1024;

  @TempDir
  Path tmp;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @ParameterizedTest
  @EnumSource(value = ReproxConfig.Server.Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
  void serve_onEachTransport_getHeadRangeLargeBodyAndTunnel(ReproxConfig.Server.Transport kind) throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).add("hello", "2.10-3")
        .add(DebPackage.of("big", "1.0").withPayloadSize(BIG));
    AptGeneration g = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    try (StaticServer upstream = StaticServer.serve(repo.root());
        CapturedLog log = new CapturedLog(NettyReproxServer.class)) {
      int upstreamPort = upstream.baseUri().getPort();
      String yaml = "server:\n  transport: " + kind.spelling() + "\n"
          + "tunnel-allow: [\"127.0.0.1:" + upstreamPort + "\"]\n"
          + "repositories:\n  fix:\n    format: apt\n    upstream: "
          + upstream.baseUri().toString().replaceAll("/$", "") + "\n    keyring: " + keyring + "\n";
      if (!Transport.available(kind)) {
        assertThatThrownBy(() -> InProcessReprox.withConfig(tmp.resolve("reprox"), yaml, new MutableClock(T1)))
            .isInstanceOf(Transport.UnavailableException.class)
            .hasMessageStartingWith("server.transport: " + kind.spelling() + " is not available on this host (");
        return;
      }
      try (InProcessReprox reprox = InProcessReprox.withConfig(tmp.resolve("reprox"), yaml,
          new MutableClock(T1.plusSeconds(60)))) {
        assertThat(log.lines(Level.INFO)).anySatisfy(line -> assertThat(line)
            .startsWith("listening on 127.0.0.1:").contains("(" + kind.spelling() + " transport,"));

        HttpResponse<byte[]> inRelease = get(reprox.base().resolve("fix/" + g.inRelease()), null);
        assertThat(inRelease.statusCode()).isEqualTo(200);
        assertThat(inRelease.body()).isEqualTo(Files.readAllBytes(g.resolve(g.inRelease())));

        AptGeneration.BuiltDeb big = g.deb("big");
        URI bigUri = reprox.base().resolve("fix/" + big.poolPath());
        HttpResponse<byte[]> whole = get(bigUri, null); // a miss, streamed while it is filled
        HttpResponse<byte[]> again = get(bigUri, null); // a hit, streamed from the store
        for (HttpResponse<byte[]> r : java.util.List.of(whole, again)) {
          assertThat(r.statusCode()).isEqualTo(200);
          assertThat(r.body()).hasSize((int) big.size());
          assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(r.body())))
              .isEqualTo(big.sha256());
        }

        HttpResponse<byte[]> head = http.send(HttpRequest.newBuilder(bigUri)
            .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(big.size());
        assertThat(head.body()).isEmpty();

        HttpResponse<byte[]> range = get(bigUri, "bytes=5000000-5000099");
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.headers().firstValue("Content-Range")).hasValue("bytes 5000000-5000099/" + big.size());
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(again.body(), 5_000_000, 5_000_100));

        // The tunnel's upstream socket is opened on the client's loop: it must be of the loop's kind.
        try (Socket s = new Socket("127.0.0.1", reprox.server.address().getPort())) {
          s.setSoTimeout(30_000);
          s.getOutputStream().write(("CONNECT 127.0.0.1:" + upstreamPort + " HTTP/1.1\r\nHost: 127.0.0.1:"
              + upstreamPort + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
          assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200");
          s.getOutputStream().write(("GET /" + g.inRelease() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
          assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200");
        }
      }
    }
  }

  private HttpResponse<byte[]> get(URI uri, String range) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60));
    if (range != null) {
      b.header("Range", range);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The response head up to the blank line, without reading a byte of what follows. */
  private static String readHead(InputStream in) throws Exception {
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
}
