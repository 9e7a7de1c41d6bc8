package dev.reprox.storage.rocks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.Storage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM that dies in the middle of a write leaves nothing once the store reopens. */
class CrashTest {
  @TempDir
  Path dir;

  @Test
  void haltMidWrite_thenReopen_leavesNoChunks() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process p = new ProcessBuilder(java, "-cp", classpath, CrashMain.class.getName(), dir.toString(), "80")
        .redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(out).as("the write was under way when the JVM halted").contains("chunks 80");

    try (Storage s = RocksStorage.builder().path(dir).build()) {
      assertThat(((RocksStorage) s).chunkKeys()).isZero();
      assertThat(s.stats().blobCount()).isZero();
    }
  }
}
