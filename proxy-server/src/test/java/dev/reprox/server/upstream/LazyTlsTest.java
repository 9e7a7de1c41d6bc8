package dev.reprox.server.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LazyTlsTest {
  private static final String PASSWORD = "throwaway";
  @TempDir static Path keys;
  private static Path keystore;
  private WireMockServer upstream;
  private final AtomicInteger built = new AtomicInteger();

  /** A throwaway certificate for localhost only (not 127.0.0.1), made by the JDK's keytool. */
  @BeforeAll
  static void certificate() throws Exception {
    keystore = keys.resolve("localhost.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "localhost", "-keyalg", "EC", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD)
        .redirectErrorStream(true).start();
    String out = new String(keytool.getInputStream().readAllBytes());
    assertThat(keytool.waitFor()).as(out).isZero();
  }

  @BeforeEach
  void start() {
    upstream = new WireMockServer(options().dynamicPort().dynamicHttpsPort().keystorePath(keystore.toString())
        .keystorePassword(PASSWORD).keyManagerPassword(PASSWORD).keystoreType("PKCS12"));
    upstream.start();
    upstream.stubFor(get("/dists/x/InRelease").willReturn(aResponse().withBody("signed")));
  }

  @AfterEach
  void stop() {
    upstream.stop();
  }

  @Test
  void plainHttpExchanges_neverBuildTheContext() throws Exception {
    HttpClient client = client(trustingWireMock());

    HttpResponse<String> r = client.send(request("http://127.0.0.1:" + upstream.port()), HttpResponse.BodyHandlers.ofString());

    assertThat(r.body()).isEqualTo("signed");
    assertThat(built).as("contexts built").hasValue(0);
  }

  @Test
  void httpsExchanges_buildTheContextOnce_atTheFirstHandshake() throws Exception {
    HttpClient client = client(trustingWireMock());
    assertThat(built).as("built with the client").hasValue(0);

    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r = client.send(request("https://localhost:" + upstream.httpsPort()),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.body()).isEqualTo("signed");
    }

    assertThat(built).as("contexts built").hasValue(1);
  }

  @Test
  void httpsExchange_theHostNameIsStillChecked() {
    // The certificate names localhost, not 127.0.0.1: the client must still refuse it, as it does
    // with the default context's parameters.
    HttpClient client = client(trustingWireMock());

    assertThatThrownBy(() -> client.send(request("https://127.0.0.1:" + upstream.httpsPort()),
        HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
  }

  private HttpClient client(Supplier<SSLContext> delegate) {
    return LazyTls.onFirstUse(HttpClient.newBuilder(), LazyTls.over(() -> {
      built.incrementAndGet();
      return delegate.get();
    })).version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();
  }

  private static HttpRequest request(String base) {
    return HttpRequest.newBuilder(URI.create(base + "/dists/x/InRelease")).timeout(Duration.ofSeconds(30)).build();
  }

  /** A context that trusts the throwaway certificate, whatever host name it is reached by. */
  private static Supplier<SSLContext> trustingWireMock() {
    return () -> {
      try {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keystore)) {
          trusted.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        return tls;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }
}
