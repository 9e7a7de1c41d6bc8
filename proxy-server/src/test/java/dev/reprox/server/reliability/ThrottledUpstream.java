package dev.reprox.server.reliability;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An upstream that makes up every file from its name (size and bytes from a seed, so nothing is
 * held in memory) and streams it at a fixed rate per connection, so downloads are still in flight
 * when the test pulls the plug. Counts requests per path.
 */
final class ThrottledUpstream implements AutoCloseable {
  private static final int PIECE = 32 * 1024;

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "throttled-upstream");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  private final Map<String, byte[]> digests = new ConcurrentHashMap<>();
  private final long bytesPerSecond;
  private final int minSize;
  private final int maxSize;

  ThrottledUpstream(long bytesPerSecond, int minSize, int maxSize) throws IOException {
    this.bytesPerSecond = bytesPerSecond;
    this.minSize = minSize;
    this.maxSize = maxSize;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
    server.setExecutor(threads);
    server.createContext("/up/", exchange -> {
      String name = exchange.getRequestURI().getPath().substring("/up/".length());
      requests.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
      byte[] body = content(name);
      exchange.sendResponseHeaders(200, body.length);
      long start = System.nanoTime();
      try (OutputStream out = exchange.getResponseBody()) {
        for (int off = 0; off < body.length; off += PIECE) {
          out.write(body, off, Math.min(PIECE, body.length - off));
          out.flush();
          // Pace to the rate: the deadline for the bytes sent so far.
          long due = start + TimeUnit.SECONDS.toNanos(1) * (off + PIECE) / this.bytesPerSecond;
          LockSupport.parkNanos(due - System.nanoTime());
        }
      } catch (IOException cut) {
        // the proxy went away mid-body (kill -9): nothing to do
      }
      exchange.close();
    });
    server.start();
  }

  String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/up";
  }

  /** The bytes of {@code name}: between minSize and maxSize, derived from the name. */
  byte[] content(String name) {
    Random r = new Random(name.hashCode() * 31L + 7);
    byte[] b = new byte[minSize + r.nextInt(maxSize - minSize + 1)];
    r.nextBytes(b);
    return b;
  }

  byte[] sha256(String name) {
    return digests.computeIfAbsent(name, n -> sha256(content(n)));
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  int requests(String name) {
    AtomicInteger n = requests.get(name);
    return n == null ? 0 : n.get();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
