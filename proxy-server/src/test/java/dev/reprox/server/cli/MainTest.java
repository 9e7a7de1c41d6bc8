package dev.reprox.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.Alias;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import dev.reprox.testkit.apk.ApkGeneration;
import dev.reprox.testkit.apk.ApkKey;
import dev.reprox.testkit.apk.ApkRepoBuilder;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
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
  void verify_apkWithDataPartChangedUnderItsQ1_exits1NamingIt_genuineApkPasses() throws Exception {
    byte[] real;
    try (var in = MainTest.class.getClassLoader().getResourceAsStream("fixtures/real/alpine/packages/alpine-baselayout-3.2.0-r23.apk")) {
      real = in.readAllBytes();
    }
    ApkGeneration g = ApkRepoBuilder.in(dir.resolve("repo")).key(ApkKey.generate("t.rsa.pub"))
        .date(Instant.parse("2024-03-01T00:00:00Z")).add("foo", "1.0-r0").publish();
    ApkGeneration.BuiltApk foo = g.apk("foo");
    byte[] tampered = Files.readAllBytes(g.resolve(foo.path()));
    tampered[tampered.length - 10] ^= 0x01; // data part; size, control member and Q1 untouched
    // A store written before the datahash check: the changed package stored under its Q1.
    try (Storage storage = StorageOpener.open(dir.resolve("data"), Clock.systemUTC())) {
      storage.aliases().put(new Alias(Alias.Kind.APK_Q1, Base64.getDecoder().decode("LLq2qDNrS/qRnhxQ3hsY/sHbQnc=")),
          store(storage, real));
      storage.aliases().put(new Alias(Alias.Kind.APK_Q1, Base64.getDecoder().decode(foo.q1().substring(2))),
          store(storage, tampered));
    }

    assertThat(run("verify", "--data", dir.resolve("data").toString())).isEqualTo(1);

    assertThat(out.toString()).contains("damaged " + Digest.compute(tampered) + ": apk ")
        .contains("data part sha256").doesNotContain("damaged " + Digest.compute(real))
        .contains("verify: 2 apk packages re-checked (Q1 and datahash), 1 bad");
  }

  private static Digest store(Storage storage, byte[] bytes) throws Exception {
    try (BlobWriter w = storage.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(bytes));
      return w.commit(null, bytes.length).digest();
    }
  }

  @Test
  void verify_emptyStore_exits0WithSummary() {
    assertThat(run("verify", "--data", dir.resolve("data").toString())).isZero();
    assertThat(out.toString()).contains("verify: 0 blobs");
  }
}
