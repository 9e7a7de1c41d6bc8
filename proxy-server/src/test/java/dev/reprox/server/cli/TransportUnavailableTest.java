package dev.reprox.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reprox serve} with a {@code server.transport} this host cannot run, in a JVM of its own
 * where Netty's native transports are switched off ({@code -Dio.netty.transport.noNative=true}):
 * one line and exit code 2, as any configuration error, before the store is opened.
 */
class TransportUnavailableTest {
  @TempDir
  Path dir;

  @Test
  void serve_ioUringWithoutNativeTransports_exits2OneLine_storeNotOpened() throws Exception {
    Path config = Files.writeString(dir.resolve("reprox.yaml"), "server:\n  transport: io_uring\n");
    Path data = dir.resolve("data");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path log = dir.resolve("child.log");
    ProcessBuilder b = new ProcessBuilder(List.of(java, "-Dio.netty.transport.noNative=true", "-cp", classpath,
        Main.class.getName(), "serve", "--config", config.toString(), "--data", data.toString(),
        "--listen", "127.0.0.1:0")).redirectErrorStream(true).redirectOutput(log.toFile());
    b.environment().keySet().removeIf(k -> k.startsWith("REPROX_"));
    Process p = b.start();
    boolean ended = p.waitFor(120, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String output = Files.readString(log);

    assertThat(ended).as("the child ended: " + output).isTrue();
    assertThat(p.exitValue()).as(output).isEqualTo(2);
    assertThat(output).contains("server.transport: io_uring is not available on this host (Native transport was"
        + " explicit disabled with -Dio.netty.transport.noNative=true); use auto, or another of epoll, io_uring, nio")
        .doesNotContain("Exception");
    assertThat(data).doesNotExist();
  }
}
