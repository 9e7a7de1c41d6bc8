package dev.reprox.server.reliability;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A directory served over HTTP at a fixed rate per connection (a signed fixture repository, so
 * package downloads are still streaming when the test pulls the plug), counting GETs per path.
 * Files are streamed from disk, never held whole.
 */
final class ThrottledFiles implements AutoCloseable {
  private static final int PIECE = 32 * 1024;

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "throttled-files");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

  ThrottledFiles(Path dir, long bytesPerSecond) throws IOException {
    Path root = dir.toAbsolutePath().normalize();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
    server.setExecutor(threads);
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath().substring(1);
      requests.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
      Path file = root.resolve(path).normalize();
      if (!file.startsWith(root) || !Files.isRegularFile(file)) {
        exchange.sendResponseHeaders(404, -1);
        exchange.close();
        return;
      }
      long start = System.nanoTime();
      try (InputStream in = Files.newInputStream(file); OutputStream out = exchange.getResponseBody()) {
        exchange.sendResponseHeaders(200, Files.size(file));
        byte[] piece = new byte[PIECE];
        long sent = 0;
        for (int n; (n = in.read(piece)) > 0; ) {
          out.write(piece, 0, n);
          out.flush();
          sent += n;
          LockSupport.parkNanos(start + TimeUnit.SECONDS.toNanos(1) * sent / bytesPerSecond - System.nanoTime());
        }
      } catch (IOException cut) {
        // the proxy went away mid-body (kill -9)
      }
      exchange.close();
    });
    server.start();
  }

  String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  int requests(String path) {
    AtomicInteger n = requests.get(path);
    return n == null ? 0 : n.get();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
