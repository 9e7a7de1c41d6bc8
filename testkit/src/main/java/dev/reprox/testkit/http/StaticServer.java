package dev.reprox.testkit.http;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Serves the files under a root directory on 127.0.0.1 with GET and HEAD, and records every
 * request. Paths with a segment starting with '.' are hidden (fixture builders write temporary
 * files that way). {@code stop()} then {@code start()} keeps the port, so a proxy configured with
 * this upstream's URL finds it again.
 */
public final class StaticServer implements AutoCloseable {

  /** One request as the server saw it. */
  public record Request(String method, String path, int status, Instant at) {
  }

  private final Clock clock;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile Path root;
  private volatile boolean conditional;
  private volatile long bytesPerSecond;
  private int port;
  private HttpServer server;
  private ExecutorService executor;

  private StaticServer(Path root, Clock clock) {
    this.root = root.toAbsolutePath().normalize();
    this.clock = clock;
  }

  /** Starts serving {@code root} on an ephemeral loopback port. */
  public static StaticServer serve(Path root) {
    return serve(root, Clock.systemUTC());
  }

  /** As {@link #serve(Path)}, stamping requests with {@code clock}. */
  public static StaticServer serve(Path root, Clock clock) {
    StaticServer s = new StaticServer(root, clock);
    s.start();
    return s;
  }

  /** Starts listening again, on the same port as before if there was one. */
  public synchronized void start() {
    if (server != null) {
      return;
    }
    try {
      HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
      executor = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "static-server-" + port);
        t.setDaemon(true);
        return t;
      });
      s.setExecutor(executor);
      s.createContext("/", this::handle);
      s.start();
      server = s;
      port = s.getAddress().getPort();
    } catch (IOException e) {
      throw new UncheckedIOException("start static server for " + root + " on port " + port, e);
    }
  }

  /** Stops listening (the upstream goes away); connections in flight are cut. */
  public synchronized void stop() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      server = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  public synchronized boolean running() {
    return server != null;
  }

  /**
   * From now on, answer with {@code ETag} (the SHA-256 of the file) and {@code Last-Modified}
   * (its mtime), and {@code 304} to a GET whose {@code If-None-Match} names the current ETag,
   * as a mirror behind nginx does. Off by default: most tests want every GET to send the body.
   */
  public StaticServer honourConditionals() {
    conditional = true;
    return this;
  }

  /**
   * From now on, send bodies at about {@code value} bytes a second per response (0: as fast as
   * possible), as a slow upstream does: a fill then lasts long enough for a test to act during it.
   */
  public StaticServer throttle(long value) {
    bytesPerSecond = value;
    return this;
  }

  /** Serves {@code newRoot} from now on. */
  public void root(Path newRoot) {
    root = newRoot.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  public synchronized int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>/}. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port() + "/");
  }

  /** Every request so far, oldest first. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Requests whose path equals {@code path} (leading '/' optional). */
  public List<Request> requestsFor(String path) {
    String p = path.startsWith("/") ? path : "/" + path;
    return requests.stream().filter(r -> r.path().equals(p)).toList();
  }

  /** Requests whose path ends with {@code suffix}, e.g. {@code ".deb"}. */
  public List<Request> requestsEndingWith(String suffix) {
    return requests.stream().filter(r -> r.path().endsWith(suffix)).toList();
  }

  public void clearRequests() {
    requests.clear();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      boolean head = "HEAD".equals(method);
      if (!head && !"GET".equals(method)) {
        respond(exchange, method, path, 405);
        return;
      }
      Path file = resolve(path);
      if (file == null || !Files.isRegularFile(file)) {
        respond(exchange, method, path, 404);
        return;
      }
      long size = Files.size(file);
      exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
      if (conditional) {
        String etag = etag(file);
        exchange.getResponseHeaders().set("ETag", etag);
        exchange.getResponseHeaders().set("Last-Modified", DateTimeFormatter.RFC_1123_DATE_TIME.format(
            Files.getLastModifiedTime(file).toInstant().atZone(ZoneOffset.UTC)));
        String ifNoneMatch = exchange.getRequestHeaders().getFirst("If-None-Match");
        if (ifNoneMatch != null && ifNoneMatch.strip().equals(etag)) {
          respond(exchange, method, path, 304);
          return;
        }
      }
      requests.add(new Request(method, path, 200, clock.instant()));
      if (head) {
        exchange.getResponseHeaders().set("Content-Length", Long.toString(size));
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, size == 0 ? -1 : size);
      try (OutputStream body = exchange.getResponseBody()) {
        long rate = bytesPerSecond;
        if (rate > 0) {
          paced(file, body, rate);
        } else {
          Files.copy(file, body);
        }
      }
    }
  }

  /** Sends {@code file} at about {@code rate} bytes a second, in 64 KiB pieces. */
  private static void paced(Path file, OutputStream body, long rate) throws IOException {
    byte[] buf = new byte[64 << 10];
    long started = System.nanoTime();
    long sent = 0;
    try (var in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        body.write(buf, 0, n);
        body.flush();
        sent += n;
        long due = started + sent * 1_000_000_000L / rate;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          try {
            // Pacing a slow upstream, not waiting for a condition.
            Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("paced send interrupted", e);
          }
        }
      }
    }
  }

  private static String etag(Path file) throws IOException {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return "\"" + HexFormat.of().formatHex(sha.digest(Files.readAllBytes(file))) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Path resolve(String path) {
    Path base = root;
    for (String segment : path.split("/")) {
      if (segment.startsWith(".")) {
        return null;
      }
    }
    Path file = base.resolve(path.replaceFirst("^/+", "")).normalize();
    return file.startsWith(base) ? file : null;
  }

  private void respond(HttpExchange exchange, String method, String path, int status) throws IOException {
    requests.add(new Request(method, path, status, clock.instant()));
    exchange.sendResponseHeaders(status, -1);
  }
}
