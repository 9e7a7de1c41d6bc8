package dev.reprox.testkit.shared;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's nginx as a round-robin HTTP load balancer on 127.0.0.1 in front of {@code backends}
 * ({@code host:port}), run in the foreground as a child process with its configuration, pid file,
 * logs and temporary directories under one directory. Responses are not buffered, so a large
 * body streams through as the backend sends it.
 */
public final class NginxBalancer implements AutoCloseable {
  public static final Path NGINX = Path.of(System.getProperty("reprox.nginx", "/usr/sbin/nginx"));
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Path dir;
  private final int port;
  private final Process process;

  private NginxBalancer(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  public static boolean installed() {
    return Files.isExecutable(NGINX);
  }

  public static NginxBalancer start(Path dir, List<String> backends) {
    if (!installed()) {
      throw new IllegalStateException("nginx not found at " + NGINX + " (Debian package nginx)");
    }
    try {
      Files.createDirectories(dir);
      int port = PostgresServer.freePort();
      StringBuilder servers = new StringBuilder();
      for (String b : backends) {
        servers.append("    server ").append(b).append(" max_fails=0;\n");
      }
      String root = "root".equals(System.getProperty("user.name")) ? "user root root;\n" : "";
      String conf = root
          + "worker_processes 1;\n"
          + "daemon off;\n"
          + "pid " + dir.resolve("nginx.pid") + ";\n"
          + "error_log " + dir.resolve("error.log") + " warn;\n"
          + "events { worker_connections 1024; }\n"
          + "http {\n"
          + "  log_format balanced '$upstream_addr $status \"$request\"';\n"
          + "  access_log " + dir.resolve("access.log") + " balanced;\n"
          + "  client_body_temp_path " + dir.resolve("body") + ";\n"
          + "  proxy_temp_path " + dir.resolve("proxy") + ";\n"
          + "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";\n"
          + "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";\n"
          + "  scgi_temp_path " + dir.resolve("scgi") + ";\n"
          + "  upstream reprox {\n" + servers + "  }\n"
          + "  server {\n"
          + "    listen 127.0.0.1:" + port + ";\n"
          + "    location / {\n"
          + "      proxy_pass http://reprox;\n"
          + "      proxy_http_version 1.1;\n"
          + "      proxy_set_header Connection \"\";\n"
          + "      proxy_set_header Host $http_host;\n"
          + "      proxy_buffering off;\n"
          + "      proxy_read_timeout 300s;\n"
          + "    }\n"
          + "  }\n"
          + "}\n";
      Path file = dir.resolve("nginx.conf");
      Files.writeString(file, conf, StandardCharsets.UTF_8);
      Process p = new ProcessBuilder(List.of(NGINX.toString(), "-p", dir.toString(), "-c", file.toString()))
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("nginx.out").toFile())
          .start();
      NginxBalancer balancer = new NginxBalancer(dir, port, p);
      balancer.awaitListening();
      return balancer;
    } catch (IOException e) {
      throw new UncheckedIOException("start nginx", e);
    }
  }

  private void awaitListening() throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException e) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          close();
          throw new IllegalStateException("nginx did not listen on " + port + ": "
              + Files.readString(dir.resolve("nginx.out")) + readQuietly(dir.resolve("error.log")));
        }
      }
      try {
        Thread.sleep(50); // polling a condition with a deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("nginx start interrupted", e);
      }
    }
  }

  public String base() {
    return "http://127.0.0.1:" + port + "/";
  }

  /** The access log: per request the backend that answered ({@code host:port}), the status and the request line. */
  public String accessLog() {
    return readQuietly(dir.resolve("access.log"));
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    process.destroy(); // SIGTERM: fast shutdown of master and workers
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
