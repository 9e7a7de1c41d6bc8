package dev.reprox.testkit.shared;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * S3Proxy (Maven Central {@code org.gaul:s3proxy}, classifier {@code jar-with-dependencies}) as a
 * child {@code java -jar} process on 127.0.0.1, storing objects in a temporary directory through
 * jclouds' {@code filesystem-nio2} provider, checking AWS v2/v4 signatures against {@link #ACCESS_KEY}
 * and {@link #SECRET_KEY}. The module that uses it copies the jar into {@code target/} with the
 * maven-dependency-plugin and names it in the system property {@code reprox.s3proxy.jar}.
 */
public final class S3ProxyServer implements S3Server {
  public static final String ACCESS_KEY = "reprox-test-access";
  public static final String SECRET_KEY = "reprox-test-secret";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Path root;
  private final Path jar;
  private final int port;
  private Process process;

  private S3ProxyServer(Path root, Path jar, int port) {
    this.root = root;
    this.jar = jar;
    this.port = port;
  }

  /** The jar named by {@code -Dreprox.s3proxy.jar}. */
  public static Path jarFromProperty() {
    String jar = System.getProperty("reprox.s3proxy.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("S3Proxy jar not found: -Dreprox.s3proxy.jar=" + jar
          + " (the module's pom copies org.gaul:s3proxy:jar-with-dependencies into target/s3proxy)");
    }
    return Path.of(jar);
  }

  /** Starts S3Proxy from {@code jar} and waits until it answers HTTP. */
  public static S3ProxyServer start(Path jar) {
    try {
      Path root = Files.createTempDirectory("reprox-s3");
      S3ProxyServer s = new S3ProxyServer(root, jar, PostgresServer.freePort());
      s.launch();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("start S3Proxy", e);
    }
  }

  private void launch() throws IOException {
    Path data = Files.createDirectories(root.resolve("data"));
    Path props = root.resolve("s3proxy.conf");
    Files.writeString(props, String.join("\n",
        "s3proxy.endpoint=http://127.0.0.1:" + port,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + ACCESS_KEY,
        "s3proxy.credential=" + SECRET_KEY,
        "jclouds.provider=filesystem-nio2",
        "jclouds.filesystem.basedir=" + data,
        "jclouds.identity=" + ACCESS_KEY,
        "jclouds.credential=" + SECRET_KEY,
        ""), StandardCharsets.UTF_8);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process = new ProcessBuilder(List.of(java, "-Xmx512m", "-jar", jar.toString(), "--properties", props.toString()))
        .redirectErrorStream(true)
        .redirectOutput(root.resolve("s3proxy.log").toFile())
        .start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!answers()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("S3Proxy exited with " + process.exitValue() + ":\n" + log());
      }
      if (System.nanoTime() > deadline) {
        close();
        throw new IllegalStateException("S3Proxy did not answer within " + START_TIMEOUT + ":\n" + log());
      }
      try {
        Thread.sleep(50); // polling a condition with a deadline, not standing in for one
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("S3Proxy start interrupted", e);
      }
    }
  }


  @Override
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public String accessKey() {
    return ACCESS_KEY;
  }

  @Override
  public String secretKey() {
    return SECRET_KEY;
  }

  /** Kills the process (as a crash would) and keeps the objects: {@link #restart()} serves them again. */
  @Override
  public void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void restart() {
    try {
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException("restart S3Proxy", e);
    }
  }

  @Override
  public String log() {
    try {
      return Files.readString(root.resolve("s3proxy.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    kill();
    PostgresServer.deleteTree(root);
  }
}
