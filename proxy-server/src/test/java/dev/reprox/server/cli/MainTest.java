package dev.reprox.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void configCheck_valid_printsEffectiveConfig() throws Exception {
    Path file = dir.resolve("ok.yaml");
    Files.writeString(file, "repositories:\n  mine:\n    format: apk\n    upstream: http://example.org/alpine\n"
        + "    keyring: none\n");
    assertThat(run("config", "check", file.toString())).isZero();
    assertThat(out.toString()).contains("mine:").contains("http://example.org/alpine").contains("debian:");
  }

  @Test
  void configCheck_invalid_exits2NamingField() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "repositories:\n  x:\n    format: apt\n    upstream: ftp:/x\n");
    assertThat(run("config", "check", file.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("repositories.x.upstream");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void serve_badListen_exits2() {
    assertThat(run("serve", "--listen", "nowhere")).isEqualTo(2);
    assertThat(err.toString()).contains("--listen");
  }

  @Test
  void verify_emptyStore_exits0WithSummary() {
    assertThat(run("verify", "--data", dir.resolve("data").toString())).isZero();
    assertThat(out.toString()).contains("verify: 0 blobs");
  }
}
