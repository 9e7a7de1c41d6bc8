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
import java.io.StringWriter;
import java.lang.ref.Reference;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
  void configCheck_adminToken_printedAsStars() throws Exception {
    Path file = dir.resolve("tokens.yaml");
    Files.writeString(file, "api:\n  admin-token: Very-Secret-Admin-Token\n");
    assertThat(run("config", "check", file.toString())).isZero();
    assertThat(out.toString()).contains("admin-token: '***'").doesNotContain("Very-Secret-Admin-Token");
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
        .contains("verify: 2 apk packages re-checked by their index's own hash, 1 bad");
  }

  private static Digest store(Storage storage, byte[] bytes) throws Exception {
    try (BlobWriter w = storage.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(bytes));
      return w.commit(null, bytes.length).digest();
    }
  }

  @Test
  void verify_emptyStore_exits0WithSummary() throws Exception {
    Path data = dir.resolve("data");
    StorageOpener.open(data, Clock.systemUTC()).close();
    assertThat(run("verify", "--data", data.toString())).isZero();
    assertThat(out.toString()).contains("verify: 0 blobs");
  }

  @Test
  void verify_notAStore_exits2AndCreatesNothing() throws Exception {
    Path absent = dir.resolve("typo");
    assertThat(run("verify", "--data", absent.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("verify: " + absent + " is not a reprox data directory");
    assertThat(absent).doesNotExist();

    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertThat(run("verify", "--data", empty.toString())).isEqualTo(2);
    assertThat(empty).isEmptyDirectory();
    assertThat(out.toString()).doesNotContain("0 damaged");
  }

  @Test
  void verify_whileAServerHoldsTheStore_scrubsIt() throws Exception {
    Path data = dir.resolve("data");
    byte[] body = "a package".getBytes(StandardCharsets.UTF_8);
    // RocksDB's LOCK is taken per process too: a second writable open in this JVM fails as it did
    // from another process while serve ran.
    try (Storage serving = StorageOpener.open(data, Clock.systemUTC())) {
      try (BlobWriter w = serving.blobs().newWriter()) {
        w.write(ByteBuffer.wrap(body));
        w.commit(Digest.compute(body), body.length);
      }
      assertThat(run("verify", "--data", data.toString())).as(err.toString()).isZero();
    }
    assertThat(out.toString()).contains("verify: 1 blobs, " + body.length + " bytes checked, 0 damaged");
    assertThat(err.toString()).isEmpty();
  }

  /**
   * verify opens the store read-only beside a running server, which sees the entries as they were
   * at the open. A blob the server deletes (its GC) before verify reaches it has no file any more:
   * re-checked against a fresh open, it is not damage; a file that is really gone still is.
   */
  @Test
  void verify_besideAServer_blobDeletedMeanwhile_notDamage_aLostFileIs() throws Exception {
    Path data = dir.resolve("data");
    byte[] deletedBody = new byte[200_000];
    byte[] lostBody = new byte[200_000];
    java.util.Arrays.fill(deletedBody, (byte) 1);
    java.util.Arrays.fill(lostBody, (byte) 2);
    try (Storage serving = StorageOpener.open(data, Clock.systemUTC())) {
      Digest deleted = put(serving, deletedBody);
      Digest lost = put(serving, lostBody);
      try (Storage readOnly = StorageOpener.openReadOnly(data)) {
        assertThat(serving.blobs().delete(deleted)).isTrue();
        try (var files = Files.walk(data)) {
          Path lostFile = files.filter(p -> p.getFileName().toString().length() == 16 && Files.isRegularFile(p))
              .filter(p -> {
                try {
                  return Files.size(p) == lostBody.length;
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
              .findFirst().orElseThrow();
          Files.delete(lostFile);
        }
        java.io.StringWriter text = new java.io.StringWriter();

        int exit = VerifyCommand.scrub(readOnly, new java.io.PrintWriter(text),
            missing -> VerifyCommand.stillStored(data, missing));

        assertThat(exit).isEqualTo(1);
        assertThat(text.toString())
            .contains("damaged " + lost + ": scrub: blob file ")
            .doesNotContain(deleted.toString())
            .contains("verify: 1 blobs deleted by the running server while verify read (not damage)")
            .contains("verify: 1 blobs, ")
            .contains(", 1 damaged");
      }
    }
  }

  private static Digest put(Storage s, byte[] body) throws Exception {
    try (BlobWriter w = s.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(body));
      return w.commit(Digest.compute(body), body.length).digest();
    }
  }

  @Test
  void serve_portInUse_oneLineExit1() throws Exception {
    Path config = dir.resolve("one.yaml");
    Files.writeString(config, "repositories:\n  mine:\n    format: apk\n    upstream: http://127.0.0.1:1/alpine\n"
        + "    keyring: none\n");
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThat(run("serve", "--config", config.toString(), "--data", dir.resolve("data").toString(),
          "--listen", "127.0.0.1:" + port)).isEqualTo(1);
      assertThat(err.toString()).isEqualTo("cannot listen on 127.0.0.1:" + port + ": address already in use"
          + System.lineSeparator());
      assertThat(out.toString()).isEmpty();
    }
    // The store was closed again: a second open of the same directory in this JVM works.
    StorageOpener.open(dir.resolve("data"), Clock.systemUTC()).close();
  }

  @Test
  void version_isThePomVersion() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).matches("reprox \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R");
  }

  @Test
  void commandLine_subcommandNamedFirst_buildsOnlyThatOne() {
    assertThat(Main.commandLine("serve", "--listen", "127.0.0.1:0").getSubcommands().keySet())
        .containsExactly("serve");
    assertThat(Main.commandLine("config", "check").getSubcommands().keySet()).containsExactly("config");
  }

  @Test
  void commandLine_noSubcommandNamed_buildsEveryOneInUsageOrder() {
    assertThat(Main.commandLine("--help").getSubcommands().keySet()).containsExactly("serve", "config", "verify",
        "generations", "export", "import", "gc", "lock", "prewarm", "migrate");
    assertThat(Main.commandLine().getSubcommands()).hasSize(10);
  }

  @Test
  void help_listsEverySubcommand_andASubcommandsUsageNamesReprox() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("serve", "config", "verify", "generations", "export", "import", "gc",
        "lock", "prewarm", "migrate");
    out.getBuffer().setLength(0);
    assertThat(run("serve", "--help")).isZero();
    assertThat(out.toString()).contains("Usage: reprox serve");
  }

  @Test
  void unknownSubcommand_exits2() {
    assertThat(run("serv")).isEqualTo(2);
    assertThat(err.toString()).contains("serv");
  }

  @Test
  void jvmDefaults_nettyJfrOffUnlessSetOnTheCommandLine() {
    String before = System.getProperty("io.netty.jfr.enabled");
    try {
      System.clearProperty("io.netty.jfr.enabled");
      Main.jvmDefaults();
      assertThat(System.getProperty("io.netty.jfr.enabled")).isEqualTo("false");
      System.setProperty("io.netty.jfr.enabled", "true");
      Main.jvmDefaults();
      assertThat(System.getProperty("io.netty.jfr.enabled")).isEqualTo("true");
    } finally {
      if (before == null) {
        System.clearProperty("io.netty.jfr.enabled");
      } else {
        System.setProperty("io.netty.jfr.enabled", before);
      }
    }
  }

  @Test
  void endHttpClientSelectors_anIdleClientsSelectorThreadEnds() throws Exception {
    List<Thread> before = Main.httpClientSelectors();
    HttpClient client = HttpClient.newHttpClient();
    List<Thread> mine = new ArrayList<>(Main.httpClientSelectors());
    mine.removeAll(before);
    assertThat(mine).as("the new client's selector thread").hasSize(1);

    Main.endHttpClientSelectors(mine);

    // Left alone it runs as long as the client is referenced (to the fence below), in native code.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (mine.get(0).isAlive() && System.nanoTime() < deadline) {
      mine.get(0).join(50);
    }
    assertThat(mine.get(0).isAlive()).as("selector alive").isFalse();
    Reference.reachabilityFence(client);
  }
}
