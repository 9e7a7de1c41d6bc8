package dev.reprox.server.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The JDK HTTP client for a server reached over plain {@code http://}. Built without a TLS
 * context, the client asks for the JVM's default one at construction even when it never speaks
 * TLS: the JSSE provider, its cipher suites and the CA certificates parsed, about 0.3 s of a
 * client command's start-up (issue 11). For {@code http://} it gets a context that refuses to be
 * used instead; any other scheme keeps the default.
 */
final class PlainHttp {
  private PlainHttp() {}

  /** {@code builder}, with the refusing context when {@code server} is {@code http://}. */
  static HttpClient.Builder forServer(HttpClient.Builder builder, URI server) {
    if ("http".equalsIgnoreCase(server.getScheme())) {
      builder.sslContext(NoTls.CONTEXT).sslParameters(new SSLParameters());
    }
    return builder;
  }

  /** A context whose every use throws: a plain-http client never creates an engine. */
  private static final class NoTls extends SSLContextSpi {
    static final SSLContext CONTEXT = new SSLContext(new NoTls(), null, "none") {};

    private static UnsupportedOperationException refused() {
      return new UnsupportedOperationException("TLS is not used for an http:// server");
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
      throw refused();
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      throw refused();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      throw refused();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      throw refused();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      throw refused();
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      throw refused();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      throw refused();
    }
  }
}
