package dev.reprox.storage.rocks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.Storage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM that dies in the middle of a write leaves nothing once the store reopens; with the WAL
 * synced in groups (prewarm --data), what it committed before dying is all there, whole.
 */
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

  /**
   * Issue 14: a fill releases a body's last byte once its commit's checks pass, before the flush
   * and the synced entry write. A crash right then loses the stored copy, nothing else: no entry,
   * no chunk, so the next request fetches it again.
   */
  @Test
  void haltAfterChecksPassedBeforeDurable_reopen_noEntryNoChunks() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process p = new ProcessBuilder(java, "-cp", classpath, CrashMain.class.getName(), dir.toString(), "80",
        "verified").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(out).as("halted once the checks passed").contains("chunks 80").contains("verified sha256:");
    String d = out.substring(out.indexOf("verified sha256:") + "verified sha256:".length()).trim();

    try (Storage s = RocksStorage.builder().path(dir).build()) {
      assertThat(s.blobs().stat(dev.reprox.storage.Digest.sha256(d))).isEmpty();
      assertThat(((RocksStorage) s).chunkKeys()).isZero();
      assertThat(s.stats().blobCount()).isZero();
    }
  }

  @Test
  void groupSync_haltAfterUnsyncedCommits_reopenFindsEveryCommitWholeAndNoHalfWrite() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process p = new ProcessBuilder(java, "-cp", classpath, GroupedCrashMain.class.getName(), dir.toString(), "20")
        .redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    java.util.List<String> committed = out.lines().filter(l -> l.startsWith("committed "))
        .map(l -> l.substring("committed ".length())).toList();
    assertThat(committed).as(out).hasSize(20);

    try (Storage s = RocksStorage.builder().path(dir).build()) {
      for (String d : committed) {
        dev.reprox.storage.Digest digest = dev.reprox.storage.Digest.sha256(d.substring(d.indexOf(':') + 1));
        assertThat(s.blobs().stat(digest)).as(d).hasValueSatisfying(i -> assertThat(i.size())
            .isEqualTo(GroupedCrashMain.BLOB));
      }
      // 20 blobs of two 64 KiB chunks each (one full, one partial); the half write's three are gone.
      assertThat(((RocksStorage) s).chunkKeys()).isEqualTo(40);
      assertThat(s.blobs().scrub(damaged -> { }).clean()).isTrue();
    }
  }
}
