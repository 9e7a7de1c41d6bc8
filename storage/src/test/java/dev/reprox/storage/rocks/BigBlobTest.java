package dev.reprox.storage.rocks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 300 MB blob written and read back by a JVM with a 128 MB heap: proves that neither path
 * holds a blob whole in memory (heap or direct).
 */
class BigBlobTest {
  static final int MIB = 300;

  @TempDir
  Path dir;

  @Test
  void write300MB_readBack_inJvmWith128MHeap() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process p = new ProcessBuilder(java, "-Xmx128m", "-XX:MaxDirectMemorySize=64m", "-cp", classpath,
        BigBlobMain.class.getName(), dir.toString(), String.valueOf(MIB))
        .redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).as(out).isZero();
    Map<String, String> fields = new HashMap<>();
    for (String line : out.split("\n")) {
      String[] kv = line.trim().split(" ", 2);
      if (kv.length == 2 && List.of("generated", "committed", "read", "size", "maxHeap").contains(kv[0])) {
        fields.put(kv[0], kv[1]);
      }
    }
    assertThat(fields.get("generated")).as(out).hasSize(64);
    assertThat(fields.get("committed")).isEqualTo(fields.get("generated"));
    assertThat(fields.get("read")).isEqualTo(fields.get("generated"));
    assertThat(Long.parseLong(fields.get("size"))).isEqualTo((long) MIB << 20);
    assertThat(Long.parseLong(fields.get("maxHeap"))).isLessThanOrEqualTo(128L << 20);
  }
}
