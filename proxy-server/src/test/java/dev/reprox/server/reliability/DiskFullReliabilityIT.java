package dev.reprox.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.testing.ReproxProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.reprox.testkit.pgp.SigningKey;

/**
 * The data directory on a 64 MiB tmpfs, filled by downloads larger than the free space: writes
 * fail cleanly (the client gets a failed response, never a complete wrong one), {@code /readyz}
 * says why, stored content keeps being served, and once the operator makes room the store
 * verifies clean and the failed files can be fetched. Needs root for {@code mount} (CI runs as
 * root); without it the test fails rather than skipping.
 */
class DiskFullReliabilityIT {
  @TempDir
  static Path dir;

  static Path mount;
  static boolean mounted;
  static ThrottledUpstream small;
  static ThrottledUpstream big;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void mountTmpfs() throws Exception {
    mount = dir.resolve("tmpfs");
    Files.createDirectories(mount);
    sh("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mount.toString());
    mounted = true;
    small = new ThrottledUpstream(512L * 1024 * 1024, 1024 * 1024, 2 * 1024 * 1024);
    big = new ThrottledUpstream(512L * 1024 * 1024, 40 * 1024 * 1024, 48 * 1024 * 1024);
  }

  @AfterAll
  static void unmount() throws Exception {
    try {
      if (small != null) {
        small.close();
        big.close();
      }
    } finally {
      if (mounted) {
        sh("umount", mount.toString());
      }
    }
  }

  /** Runs a command that must succeed; a failure names the command and what it printed. */
  static void sh(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s failed (this test needs root: CI runs as root):%n%s",
        String.join(" ", command), out).isZero();
  }

  static HttpResponse<String> text(ReproxProcess server, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(server.base() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** True when the download completed with the upstream's bytes; false when it failed visibly. */
  static boolean download(ReproxProcess server, String repo, String name, ThrottledUpstream upstream) throws Exception {
    try {
      HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(server.base() + "/" + repo + "/" + name))
          .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        assertThat(r.statusCode()).isBetween(500, 599);
        return false;
      }
      assertThat(ThrottledUpstream.sha256(r.body())).as("a complete 200 for %s carries the upstream's bytes", name)
          .isEqualTo(upstream.sha256(name));
      return true;
    } catch (IOException cut) {
      return false;
    }
  }

  @Test
  void fullDisk_writesFailCleanly_readyzSaysSo_storedStillServed_verifyClean() throws Exception {
    Path data = mount.resolve("data");
    Path config = dir.resolve("reprox.yaml");
    // Any keyring: without one, paths outside the index chain are relayed, not stored.
    Path keyring = SigningKey.ed25519("disk-full-it").writeKeyring(dir.resolve("it.gpg"));
    Files.writeString(config, "repositories:\n"
        + "  small:\n    format: apt\n    upstream: " + small.base() + "\n    keyring: " + keyring + "\n    root-ttl: 1h\n"
        + "  big:\n    format: apt\n    upstream: " + big.base() + "\n    keyring: " + keyring + "\n    root-ttl: 1h\n");
    String kept = "indices/kept.bin";
    int failed = 0;
    String firstFailed = null;
    try (ReproxProcess server = ReproxProcess.serve(config, data, dir.resolve("serve-1.log"))) {
      assertThat(download(server, "small", kept, small)).isTrue();
      assertThat(text(server, "/readyz").statusCode()).isEqualTo(200);

      for (int i = 1; i <= 4; i++) {
        String name = "indices/huge-" + i + ".bin";
        if (!download(server, "big", name, big)) {
          failed++;
          firstFailed = firstFailed == null ? name : firstFailed;
        }
      }
      assertThat(failed).as("four 40+ MiB files cannot all fit in 64 MiB").isPositive();

      HttpResponse<String> ready = text(server, "/readyz");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("storage").contains("no space left");
      assertThat(text(server, "/healthz").statusCode()).as("alive, just not ready").isEqualTo(200);

      int before = small.requests(kept);
      assertThat(download(server, "small", kept, small)).as("stored content is still served").isTrue();
      assertThat(small.requests(kept)).isEqualTo(before);
    }

    // The operator makes room; the store must hold nothing half-committed.
    sh("mount", "-o", "remount,size=256m", mount.toString());
    ReproxProcess.Verify verify = ReproxProcess.verify(data, dir.resolve("verify.log"));
    assertThat(verify.exit()).as("verify after the full disk:%n%s", verify.output()).isZero();
    assertThat(verify.output()).contains(" 0 damaged");
    try (ReproxProcess server = ReproxProcess.serve(config, data, dir.resolve("serve-2.log"))) {
      assertThat(text(server, "/readyz").statusCode()).isEqualTo(200);
      int before = small.requests(kept);
      assertThat(download(server, "small", kept, small)).isTrue();
      assertThat(small.requests(kept)).isEqualTo(before);
      assertThat(download(server, "big", firstFailed, big)).as("the failed download succeeds with room").isTrue();
    }
  }
}
