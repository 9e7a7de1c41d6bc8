package dev.reprox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.reprox.server.cli.Main;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.apt.DebPackage;
import dev.reprox.testkit.http.StaticServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reprox prewarm --data} with a lockfile of 50,000 entries in a child JVM of
 * {@code -Xmx64m} (issue 11: memory stays flat; it asks for 128m, half is used so that the test
 * tells: the list-based reader before streaming finished at 128m, with up to 112 MiB of heap in
 * use, and died of OutOfMemoryError after 6 s at 64m, while reading the lockfile). The entries cycle over the 32 tiny packages of a
 * testkit repository, so the run stores 32 and finds the rest already present: what it measures
 * is the reading and bookkeeping of 50,000 entries, not package bytes. {@code
 * -XX:+ExitOnOutOfMemoryError} turns an OutOfMemoryError on any thread into a failed exit. The
 * deadline only stops a hung run (50,000 requests to the admin route; on a 2-core machine at load
 * 30 the first 38,000 took 150 s), it times nothing.
 */
class PrewarmFlatMemoryIT {
  private static final Instant G1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final int PACKAGES = 32;
  private static final int ENTRIES = 50_000;

  @TempDir Path tmp;

  private AptRepoBuilder repo;
  private Path keyring;
  private Path lockfile;

  /** The 32 packages' repository, and a lockfile of 50,000 entries cycling over them. */
  private void lockfileOf50000() throws Exception {
    repo = AptRepoBuilder.in(tmp.resolve("repo")).date(G1);
    for (int i = 0; i < PACKAGES; i++) {
      repo.add(DebPackage.of("tiny" + i, "1.0").withPayloadSize(512));
    }
    AptGeneration g1 = repo.publish();
    keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    lockfile = tmp.resolve("reprox.lock.json");
    List<AptGeneration.BuiltDeb> debs = g1.debs();
    try (JsonGenerator j = new JsonFactory().createGenerator(lockfile.toFile(),
        com.fasterxml.jackson.core.JsonEncoding.UTF8)) {
      j.useDefaultPrettyPrinter();
      j.writeStartObject();
      j.writeNumberField("lockfileVersion", 1);
      j.writeArrayFieldStart("repositories");
      j.writeStartObject();
      j.writeStringField("name", "fix");
      j.writeStringField("at", "2024-03-01T06:00:00Z");
      j.writeArrayFieldStart("roots");
      j.writeStartObject();
      j.writeStringField("path", "dists/stable/InRelease");
      j.writeStringField("generation", "sha256:" + g1.inReleaseSha256());
      j.writeEndObject();
      j.writeEndArray();
      j.writeArrayFieldStart("packages");
      for (int i = 0; i < ENTRIES; i++) {
        AptGeneration.BuiltDeb d = debs.get(i % debs.size());
        j.writeStartObject();
        j.writeStringField("path", d.poolPath());
        j.writeStringField("sha256", d.sha256());
        j.writeNumberField("size", d.size());
        j.writeEndObject();
      }
      j.writeEndArray();
      j.writeEndObject();
      j.writeEndArray();
      j.writeEndObject();
    }

  }

  @Test
  void lockfileOf50000Entries_underXmx64m_completes() throws Exception {
    lockfileOf50000();
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      String up = upstream.baseUri().toString().replaceAll("/$", "");
      Path config = tmp.resolve("reprox.yaml");
      Files.writeString(config, "repositories:\n  fix:\n    format: apt\n    upstream: " + up + "\n    keyring: "
          + keyring + "\n");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      Path log = tmp.resolve("prewarm.log");
      Process p = new ProcessBuilder(java, "-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-cp", classpath,
          Main.class.getName(), "prewarm", "--data", tmp.resolve("data").toString(), "--config", config.toString(),
          "--jobs", "16", lockfile.toString())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      boolean ended = p.waitFor(240, TimeUnit.SECONDS);
      if (!ended) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      String tail = tail(log);
      assertThat(ended).as("prewarm ended within 240 s; its output ends:\n" + tail).isTrue();
      assertThat(p.exitValue()).as(tail).isZero();
      // Stored and already present add up to the total; a repeat of a path still in flight can
      // count as stored twice (both waited for the same fill).
      assertThat(tail).containsPattern("not found at T +0\\n").containsPattern("hash mismatch +0\\n")
          .containsPattern("upstream failure +0\\n").containsPattern("total +" + ENTRIES + "\\n");
    }
  }

  /**
   * {@code prewarm --server} of the same lockfile, the client a child JVM of {@code -Xmx64m}, the
   * server in this JVM: 50,000 lines go out in ceil(50,000 / 256) = 196 batch requests and 50,000
   * answers come back, at most two batches in flight (PrewarmBatchClient), so the client stays flat.
   */
  @Test
  void lockfileOf50000Entries_serverBatch_clientUnderXmx64m_completes() throws Exception {
    lockfileOf50000();
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      String up = upstream.baseUri().toString().replaceAll("/$", "");
      Path config = tmp.resolve("reprox.yaml");
      Files.writeString(config, "repositories:\n  fix:\n    format: apt\n    upstream: " + up + "\n    keyring: "
          + keyring + "\n");
      String token = "flat-memory-token";
      Path tokenFile = Files.writeString(tmp.resolve("token"), token);
      dev.reprox.config.ReproxConfig cfg = dev.reprox.config.ConfigLoader.load(java.util.Optional.of(config),
          java.util.Map.of(), new dev.reprox.config.ConfigLoader.Overrides(java.util.Optional.of(
              new java.net.InetSocketAddress("127.0.0.1", 0)), java.util.Optional.of(tmp.resolve("data")),
              java.util.Optional.empty()))
          .withApi(new dev.reprox.config.ApiConfig(java.util.Optional.of(new dev.reprox.config.ApiConfig.Token(token,
              java.util.Optional.empty())), java.util.Optional.empty()));
      try (dev.reprox.server.ReproxServer s = dev.reprox.server.ReproxServer.builder().config(cfg)
          .storage(dev.reprox.storage.rocks.RocksStorage.builder().path(tmp.resolve("data").resolve("store")).build())
          .clock(java.time.Clock.systemUTC()).drainTimeout(java.time.Duration.ofSeconds(2)).start()) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path log = tmp.resolve("prewarm-server.log");
        Process p = new ProcessBuilder(java, "-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-cp", classpath,
            Main.class.getName(), "prewarm", "--server", "http://127.0.0.1:" + s.address().getPort(), "--token-file",
            tokenFile.toString(), "--jobs", "16", lockfile.toString())
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = p.waitFor(240, TimeUnit.SECONDS);
        if (!ended) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String tail = tail(log);
        assertThat(ended).as("prewarm --server ended within 240 s; its output ends:\n" + tail).isTrue();
        assertThat(p.exitValue()).as(tail).isZero();
        assertThat(tail).containsPattern("not found at T +0\\n").containsPattern("hash mismatch +0\\n")
            .containsPattern("upstream failure +0\\n").containsPattern("total +" + ENTRIES + "\\n");
      }
    }
  }

  private static String tail(Path log) throws Exception {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())) + "\n";
  }
}
