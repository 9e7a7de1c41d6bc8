package dev.reprox.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code java -jar target/reprox.jar serve} as a child JVM, stderr appended to a log file: start,
 * read the {@code listening on} line, stop by SIGTERM or {@code kill -9}, and scan the log for
 * Netty's {@code LEAK:} reports. The JVM options are the caller's, so each test keeps its own.
 */
public final class ReproxProcess implements AutoCloseable {
  public static final Path JAR = Path.of("target", "reprox.jar").toAbsolutePath();
  /**
   * Leak detection paranoid, small heap: a child that reports leaks. Not C1 only: serve loads the
   * built-in keyrings at start, and Bouncy Castle checks every RSA modulus with Miller-Rabin rounds
   * whose BigInteger Montgomery multiplication is a C2 intrinsic. Measured on 2 shared cores
   * (load ~8-14), start to the listening line: 14.2 s with {@code -XX:TieredStopAtLevel=1}, 4.7 s
   * without — and the crash tests start a child twice per round.
   */
  public static final List<String> PARANOID =
      List.of("-Dio.netty.leakDetection.level=paranoid", "-Xmx256m");

  public final Process process;
  public final Path log;
  public final String address;

  private ReproxProcess(Process process, Path log, String address) {
    this.process = process;
    this.log = log;
    this.address = address;
  }

  /** Starts {@code serve} on a free loopback port with {@link #PARANOID} and waits for its listening line. */
  public static ReproxProcess serve(Path config, Path data, Path log, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("serve", "--config", config.toString(), "--data", data.toString(),
        "--listen", "127.0.0.1:0", "--drain-timeout", "2"));
    args.addAll(List.of(extra));
    return start(command(log, args.toArray(String[]::new)), log, Duration.ofSeconds(60));
  }

  /** Starts {@code builder} and waits for the listening line; the child is killed if it never comes. */
  public static ReproxProcess start(ProcessBuilder builder, Path log, Duration timeout) throws Exception {
    Process p = builder.start();
    try {
      return new ReproxProcess(p, log, readListeningLine(p, log, timeout));
    } catch (Exception | AssertionError e) {
      p.destroyForcibly();
      throw e;
    }
  }

  /** {@code java PARANOID -jar JAR args...}, stderr appended to {@code log}. */
  public static ProcessBuilder command(Path log, String... args) {
    return command(JAR, PARANOID, log, args);
  }

  public static ProcessBuilder command(Path jar, List<String> jvmOptions, Path log, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar.toString()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
  }

  /**
   * A private copy of the jar at {@code copy}: other builds in the same checkout may rewrite
   * target/reprox.jar while the child runs, and a JVM whose jar changes under it fails to load classes.
   */
  public static Path privateJar(Path copy) throws IOException {
    return Files.copy(JAR, copy, StandardCopyOption.REPLACE_EXISTING);
  }

  /** {@code reprox verify --data DIR}: exit code and stdout. */
  public static Verify verify(Path data, Path log) throws Exception {
    Process p = command(log, "verify", "--data", data.toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("verify finishes").isTrue();
    return new Verify(p.exitValue(), out);
  }

  public record Verify(int exit, String output) {}

  public String base() {
    return "http://" + address;
  }

  public String host() {
    return address.substring(0, address.lastIndexOf(':'));
  }

  public int port() {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  /** SIGKILL: no shutdown hook, no drain, no store close. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("reprox dies on kill -9").isTrue();
  }

  /** SIGTERM and wait; fails if the child outlives 30 s. Does not look at the log. */
  public void stop() throws Exception {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("reprox did not exit within 30 s of SIGTERM; log:\n" + logText());
      }
    }
  }

  /** SIGTERM, wait, and fail if the child reported a leak. */
  @Override
  public void close() throws Exception {
    stop();
    assertNoLeaks();
  }

  public void assertNoLeaks() throws IOException {
    assertThat(logText()).as("Netty leak reports in %s", log).doesNotContain("LEAK:");
  }

  public String logText() throws IOException {
    return logText(log);
  }

  private static String logText(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** The address after {@code listening on }, read off the child's stdout within {@code timeout}. */
  public static String readListeningLine(Process p, Path log, Duration timeout) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
      try {
        for (String l; (l = out.readLine()) != null; ) {
          if (l.startsWith("listening on ")) {
            return l.substring("listening on ".length()).trim();
          }
        }
        return null;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    String address;
    try {
      address = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("reprox did not start within " + timeout + "; log:\n" + logText(log), e);
    }
    assertThat(address).as("listening line; log:%n%s", logText(log)).isNotNull();
    return address;
  }
}
