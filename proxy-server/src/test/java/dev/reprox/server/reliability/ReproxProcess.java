package dev.reprox.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar target/reprox.jar serve} as a child JVM (leak detection paranoid, stderr to a
 * log file), copied in spirit from {@code ServeIT}: start, read the {@code listening on} line,
 * stop by SIGTERM or {@code kill -9}, and scan the log for Netty's {@code LEAK:} reports.
 */
final class ReproxProcess implements AutoCloseable {
  static final Path JAR = Path.of("target", "reprox.jar").toAbsolutePath();

  final Process process;
  final Path log;
  final String address;

  private ReproxProcess(Process process, Path log, String address) {
    this.process = process;
    this.log = log;
    this.address = address;
  }

  /** Starts {@code serve} on a free loopback port and waits for its listening line. */
  static ReproxProcess serve(Path config, Path data, Path log, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("serve", "--config", config.toString(), "--data", data.toString(),
        "--listen", "127.0.0.1:0", "--drain-timeout", "2"));
    args.addAll(List.of(extra));
    Process p = command(log, args.toArray(String[]::new)).start();
    String address;
    try {
      address = readListeningLine(p, log);
    } catch (Exception | AssertionError e) {
      p.destroyForcibly();
      throw e;
    }
    return new ReproxProcess(p, log, address);
  }

  static ProcessBuilder command(Path log, String... args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dio.netty.leakDetection.level=paranoid", "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-jar", JAR.toString()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
  }

  /** {@code reprox verify --data DIR}: exit code and stdout. */
  static Verify verify(Path data, Path log) throws Exception {
    Process p = command(log, "verify", "--data", data.toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("verify finishes").isTrue();
    return new Verify(p.exitValue(), out);
  }

  record Verify(int exit, String output) {}

  String base() {
    return "http://" + address;
  }

  String host() {
    return address.substring(0, address.lastIndexOf(':'));
  }

  int port() {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  /** SIGKILL: no shutdown hook, no drain, no store close. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("reprox dies on kill -9").isTrue();
  }

  /** SIGTERM, wait, and fail if the child reported a leak. */
  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("reprox did not exit within 30 s of SIGTERM; log:\n" + logText());
      }
    }
    assertNoLeaks();
  }

  void assertNoLeaks() throws IOException {
    assertThat(logText()).as("Netty leak reports in %s", log).doesNotContain("LEAK:");
  }

  String logText() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  private static String readListeningLine(Process p, Path log) throws Exception {
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
    String address = line.get(60, TimeUnit.SECONDS);
    assertThat(address).as("listening line; log:%n%s", Files.exists(log) ? Files.readString(log) : "").isNotNull();
    return address;
  }
}
