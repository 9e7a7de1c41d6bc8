package dev.reprox.server.upstream;

import java.net.http.HttpClient;
import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.function.Supplier;
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
 * A TLS context for the JDK HTTP client that builds the JVM's default one on its first use, not
 * when the client is built. Without a context of its own, {@code HttpClient.newBuilder().build()}
 * asks for {@link SSLContext#getDefault()} at once: the JSSE provider, its cipher suites and the
 * JDK's CA certificates parsed, 0.1–0.3 s of CPU in a fresh JVM (issue 11), paid even by a client
 * that only ever speaks plain {@code http://} (a local mirror, a reprox server on the same host).
 * With this context an {@code https://} exchange pays it at its first handshake instead.
 *
 * <p>The client is given empty {@link SSLParameters} too, because deriving its defaults from the
 * context would build the delegate. An engine keeps its own defaults for whatever a parameter
 * object leaves unset (protocols, cipher suites), and the client still sets the host name check,
 * SNI and ALPN on each connection's copy, so an HTTP/1.1 client negotiates as with the default
 * context. (An HTTP/2 client reads the protocols from these parameters to decide whether h2 may
 * be offered; with none set it would fall back to HTTP/1.1, so use this for HTTP/1.1 clients.)
 */
public final class LazyTls {
  private static final SSLContext DEFAULT = new Context(new Lazy(LazyTls::jvmDefault));

  private LazyTls() {}

  /** {@code builder}, with the JVM's default TLS context built on its first use. */
  public static HttpClient.Builder onFirstUse(HttpClient.Builder builder) {
    return onFirstUse(builder, DEFAULT);
  }

  static HttpClient.Builder onFirstUse(HttpClient.Builder builder, SSLContext lazy) {
    return builder.sslContext(lazy).sslParameters(new SSLParameters());
  }

  /** A context that calls {@code delegate} once, on the first use that needs it (tests). */
  static SSLContext over(Supplier<SSLContext> delegate) {
    return new Context(new Lazy(delegate));
  }

  private static SSLContext jvmDefault() {
    try {
      return SSLContext.getDefault();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no default TLS context", e);
    }
  }

  private static final class Context extends SSLContext {
    Context(Lazy spi) {
      super(spi, null, "Default");
    }
  }

  private static final class Lazy extends SSLContextSpi {
    private final Supplier<SSLContext> supplier;
    private volatile SSLContext delegate;

    Lazy(Supplier<SSLContext> supplier) {
      this.supplier = supplier;
    }

    private SSLContext delegate() {
      SSLContext d = delegate;
      if (d == null) {
        synchronized (this) {
          d = delegate;
          if (d == null) {
            d = supplier.get();
            delegate = d;
          }
        }
      }
      return d;
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random)
        throws KeyManagementException {
      throw new KeyManagementException("the JVM's default TLS context is already initialised");
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      return delegate().getSocketFactory();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      return delegate().getServerSocketFactory();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      return delegate().createSSLEngine();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      return delegate().createSSLEngine(host, port);
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return delegate().getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return delegate().getClientSessionContext();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return delegate().getDefaultSSLParameters();
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return delegate().getSupportedSSLParameters();
    }
  }
}
