package dev.reprox.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

class PlainHttpTest {
  @Test
  void httpServer_clientWithoutTheDefaultTlsContext_whoseUseIsRefused() {
    SSLContext tls = PlainHttp.forServer(HttpClient.newBuilder(), URI.create("http://127.0.0.1:3142")).build()
        .sslContext();

    assertThat(tls.getProtocol()).isEqualTo("none");
    assertThatThrownBy(tls::createSSLEngine).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("http://");
  }

  @Test
  void httpsServer_keepsTheDefaultContext() throws Exception {
    SSLContext tls = PlainHttp.forServer(HttpClient.newBuilder(), URI.create("https://reprox.example:3142")).build()
        .sslContext();

    assertThat(tls).isSameAs(SSLContext.getDefault());
  }
}
