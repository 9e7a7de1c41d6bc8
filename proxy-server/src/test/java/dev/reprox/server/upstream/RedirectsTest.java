package dev.reprox.server.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.server.upstream.UpstreamUnavailableException.Kind;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Clock;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** snapshot.debian.org's two kinds of redirect, followed by the layer and remembered. */
class RedirectsTest {
  private static final String DEB = "/archive/debian/20240301T000000Z/pool/main/h/hello/hello_2.10-3_amd64.deb";
  private static final String FILE = "/file/4f0ea1f2d2a4ab6d0a6e3b8d3b6a1c9b2e7f0c11";
  private static final String ASKED = "/archive/debian/20240301T000000Z/dists/bookworm/InRelease";
  private static final String CANONICAL = "/archive/debian/20240229T205617Z/dists/bookworm/InRelease";
  @RegisterExtension
  static final SnapshotServerFixture.PerClass SERVER = new SnapshotServerFixture.PerClass();

  private final SnapshotServerFixture snap = SERVER.fixture();
  private final PoliteUpstream up = snap.upstream(HostPolicy.snapshotServer(), Clock.systemUTC());

  @Test
  void fileRedirect_followed_thenRemembered_secondRequestGoesStraightToTheFile() {
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(302).withHeader("Location", FILE)));
    snap.server.stubFor(get(urlEqualTo(FILE)).willReturn(aResponse().withStatus(200).withBody("deb")));

    HttpResponse<String> first = send(DEB);
    HttpResponse<String> second = send(DEB);

    assertThat(first.body()).isEqualTo("deb");
    assertThat(first.uri().getPath()).isEqualTo(FILE);
    assertThat(second.body()).isEqualTo("deb");
    assertThat(second.uri().getPath()).isEqualTo(FILE);
    assertThat(snap.received(DEB)).hasSize(1);
    assertThat(snap.received(FILE)).hasSize(2);
  }

  @Test
  void sendResolved_handlerLearnsTheFinalUrlWithTheHead() {
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(302).withHeader("Location", FILE)));
    snap.server.stubFor(get(urlEqualTo(FILE)).willReturn(aResponse().withStatus(200).withBody("deb")));
    java.util.concurrent.atomic.AtomicReference<java.net.URI> seen = new java.util.concurrent.atomic.AtomicReference<>();

    up.sendResolved(snap.get(DEB), (finalUri, info) -> {
      seen.set(finalUri);
      return HttpResponse.BodySubscribers.discarding();
    }).orTimeout(10, TimeUnit.SECONDS).join();

    assertThat(seen.get()).isEqualTo(snap.base().resolve(FILE));
  }

  @Test
  void timestampRedirect_absoluteLocation_followedAndRemembered() {
    snap.server.stubFor(get(urlEqualTo(ASKED)).willReturn(aResponse().withStatus(301)
        .withHeader("Location", snap.base() + CANONICAL)));
    snap.server.stubFor(get(urlEqualTo(CANONICAL)).willReturn(aResponse().withStatus(200).withBody("inrelease")));

    HttpResponse<String> first = send(ASKED);
    HttpResponse<String> second = send(ASKED);

    assertThat(first.uri().getPath()).isEqualTo(CANONICAL);
    assertThat(second.body()).isEqualTo("inrelease");
    assertThat(snap.received(ASKED)).hasSize(1);
    assertThat(snap.received(CANONICAL)).hasSize(2);
  }

  @Test
  void rememberedTargetGone_forgotten_andTheOriginalAskedAgain() {
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(302).withHeader("Location", FILE)));
    snap.server.stubFor(get(urlEqualTo(FILE)).willReturn(aResponse().withStatus(200).withBody("deb")));
    send(DEB);
    snap.server.stubFor(get(urlEqualTo(FILE)).willReturn(aResponse().withStatus(404)));
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(200).withBody("deb again")));

    HttpResponse<String> again = send(DEB);

    assertThat(again.body()).isEqualTo("deb again");
    assertThat(again.uri().getPath()).isEqualTo(DEB);
    assertThat(snap.received(DEB)).hasSize(2);
  }

  @Test
  void redirectToAnotherHost_refused() {
    snap.server.stubFor(get(urlEqualTo(DEB)).willReturn(aResponse().withStatus(302)
        .withHeader("Location", "http://elsewhere.invalid" + FILE)));

    assertThatThrownBy(() -> send(DEB)).isInstanceOf(CompletionException.class)
        .cause().isInstanceOfSatisfying(UpstreamUnavailableException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.REDIRECT_REFUSED));
  }

  @Test
  void redirectLoop_stopsAfterFiveHops() {
    snap.server.stubFor(get(urlEqualTo("/a")).willReturn(aResponse().withStatus(302).withHeader("Location", "/b")));
    snap.server.stubFor(get(urlEqualTo("/b")).willReturn(aResponse().withStatus(302).withHeader("Location", "/a")));

    assertThatThrownBy(() -> send("/a")).cause().isInstanceOfSatisfying(UpstreamUnavailableException.class,
        e -> assertThat(e.kind()).isEqualTo(Kind.TOO_MANY_REDIRECTS));
    assertThat(snap.received(null)).hasSize(6);
  }

  @Test
  void builder_clientThatFollowsRedirects_refused() {
    HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    assertThatThrownBy(() -> PoliteUpstream.builder().client(following))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Redirect.NEVER");
  }

  private HttpResponse<String> send(String path) {
    return up.send(snap.get(path), BodyHandlers.ofString()).orTimeout(10, TimeUnit.SECONDS).join();
  }
}
