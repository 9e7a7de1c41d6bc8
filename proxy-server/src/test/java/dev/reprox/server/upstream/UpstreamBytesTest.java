package dev.reprox.server.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Clock;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code reprox.upstream.bytes}: what a cache exists to save, counted per host as it arrives. */
class UpstreamBytesTest {
  private static final String DEB = "/archive/debian/20240301T000000Z/pool/main/h/hello/hello_2.10-3_amd64.deb";
  private static final String FILE = "/file/4f0ea1f2d2a4ab6d0a6e3b8d3b6a1c9b2e7f0c11";
  @RegisterExtension
  static final SnapshotServerFixture.PerClass SERVER = new SnapshotServerFixture.PerClass();

  private final SnapshotServerFixture snap = SERVER.fixture();

  @Test
  void finalBody_countedOnce_redirectBodyNot_perHost() {
    byte[] body = new byte[300_000];
    new Random(6).nextBytes(body);
    snap.server.stubFor(get(urlEqualTo(DEB))
        .willReturn(aResponse().withStatus(302).withHeader("Location", FILE).withBody("moved to the file")));
    snap.server.stubFor(get(urlEqualTo(FILE)).willReturn(aResponse().withStatus(200).withBody(body)));
    PoliteUpstream up = snap.upstream(HostPolicy.snapshotServer(), Clock.systemUTC());

    HttpResponse<byte[]> first = up.send(snap.get(DEB), BodyHandlers.ofByteArray()).orTimeout(10, TimeUnit.SECONDS).join();
    HttpResponse<byte[]> second = up.send(snap.get(DEB), BodyHandlers.ofByteArray()).orTimeout(10, TimeUnit.SECONDS).join();

    assertThat(first.body()).isEqualTo(body);
    assertThat(second.body()).isEqualTo(body);
    String host = HostGate.originOf(snap.base());
    assertThat(snap.counter("reprox.upstream.bytes", "host", host)).isEqualTo(2.0 * body.length);
  }
}
