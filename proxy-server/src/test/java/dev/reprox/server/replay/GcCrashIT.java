package dev.reprox.server.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.pinning.TimeSpec;
import dev.reprox.server.testing.ReproxProcess;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Pin;
import dev.reprox.storage.Storage;
import dev.reprox.storage.rocks.RocksStorage;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.apt.DebPackage;
import dev.reprox.testkit.http.StaticServer;
import dev.reprox.server.testing.InProcessReprox;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a child {@code reprox gc} in the middle of its sweep: {@code reprox verify}
 * is clean, every pin is intact and its T serves the same bytes with the upstream gone, and the
 * next {@code reprox gc} finishes the job.
 */
class GcCrashIT {
  static final String ROOT = "dists/stable/InRelease";
  static final String PACKAGES = "dists/stable/main/binary-amd64/Packages";
  static final Instant P1 = Instant.parse("2024-03-01T00:00:00Z");
  static final Instant P2 = Instant.parse("2024-03-02T00:00:00Z");
  static final Instant P3 = Instant.parse("2024-09-01T00:00:00Z");

  @TempDir
  Path tmp;

  @Test
  void kill9MidSweep_verifyClean_pinsIntact_nextGcFinishes() throws Exception {
    MutableClock clock = new MutableClock(P1.plusSeconds(3600));
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("www")).date(P1).add("foo", "1.0");
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    AptGeneration g1 = repo.publish();
    Path dir = tmp.resolve("reprox");
    Path data = dir.resolve("data");
    String at1 = "fix/@" + TimeSpec.format(P1.plusSeconds(1800)) + "/";
    List<String> pinnedPaths = List.of(at1 + ROOT, at1 + PACKAGES, at1 + g1.deb("foo").poolPath());
    List<byte[]> pinnedBytes = new ArrayList<>();
    List<Pin> pins;
    String yaml;
    AptGeneration g2;
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      yaml = "  fix:\n    format: apt\n    upstream: " + upstream.baseUri().toString().replaceAll("/$", "")
          + "\n    keyring: " + keyring + "\n    root-ttl: 1s\n";
      Storage storage = RocksStorage.builder().path(data.resolve("store")).clock(clock).build();
      try (InProcessReprox reprox = new InProcessReprox(dir, yaml, clock, false, storage)) {
        for (String p : pinnedPaths) {
          pinnedBytes.add(ok(reprox, p));
        }
        // g2: twelve packages only it names, fetched live (no pin); g3, months later, is current.
        for (int i = 0; i < 12; i++) {
          repo.add(DebPackage.of("old" + i, "1.0").withPayloadSize(64 * 1024));
        }
        g2 = repo.date(P2).publish();
        clock.set(P2.plusSeconds(3600));
        ok(reprox, "fix/" + ROOT);
        ok(reprox, "fix/" + PACKAGES);
        for (int i = 0; i < 12; i++) {
          ok(reprox, "fix/" + g2.deb("old" + i).poolPath());
        }
        for (int i = 0; i < 12; i++) {
          repo.remove("old" + i);
        }
        repo.date(P3).publish();
        clock.set(P3.plusSeconds(3600));
        ok(reprox, "fix/" + ROOT);
        pins = reprox.storage.pins().list("fix");
      }
    }
    assertThat(pins).isNotEmpty();
    Path config = dir.resolve("reprox.yaml"); // what InProcessReprox served with

    Process gc = ReproxProcess.command(tmp.resolve("gc-1.log"), "gc", "--config", config.toString(), "--data",
        data.toString(), "--pause-after-deletes", "5").start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(gc.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        lines.add(line);
        if (line.equals("gc: paused (test hook)")) {
          break;
        }
      }
      gc.destroyForcibly();
      assertThat(gc.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(lines).as("killed mid-sweep").contains("gc: paused (test hook)")
        .noneMatch(l -> l.startsWith("gc: deleted"));
    assertThat(lines.stream().filter(l -> l.startsWith("delete blob")).count()).as(String.join("\n", lines))
        .isPositive();

    ReproxProcess.Verify verify = ReproxProcess.verify(data, tmp.resolve("verify-1.log"));
    assertThat(verify.exit()).as(verify.output()).isZero();
    assertThat(verify.output()).contains(" 0 damaged");
    assertPinsServeTheSameBytes(dir, data, yaml, clock, pins, pinnedPaths, pinnedBytes);

    Process again = ReproxProcess.command(tmp.resolve("gc-2.log"), "gc", "--config", config.toString(), "--data",
        data.toString(), "--quiet").start();
    String summary = new String(again.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(again.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(again.exitValue()).as(summary).isZero();
    assertThat(summary).startsWith("gc: deleted ");
    assertThat(ReproxProcess.verify(data, tmp.resolve("verify-2.log")).exit()).isZero();
    try (Storage storage = RocksStorage.builder().path(data.resolve("store")).build()) {
      for (int i = 0; i < 12; i++) {
        assertThat(storage.blobs().stat(Digest.sha256(g2.deb("old" + i).sha256()))).as("old" + i).isEmpty();
      }
    }
    assertPinsServeTheSameBytes(dir, data, yaml, clock, pins, pinnedPaths, pinnedBytes);
  }

  /** Offline, upstream gone: every pin as before, every pinned path byte for byte. */
  private static void assertPinsServeTheSameBytes(Path dir, Path data, String yaml, MutableClock clock,
      List<Pin> pins, List<String> paths, List<byte[]> bytes) throws Exception {
    Storage storage = RocksStorage.builder().path(data.resolve("store")).clock(clock).build();
    try (InProcessReprox reprox = new InProcessReprox(dir, yaml, clock, true, storage)) {
      assertThat(reprox.storage.pins().list("fix")).isEqualTo(pins);
      for (int i = 0; i < paths.size(); i++) {
        assertThat(ok(reprox, paths.get(i))).as(paths.get(i)).isEqualTo(bytes.get(i));
      }
    }
  }

  private static byte[] ok(InProcessReprox reprox, String path) throws Exception {
    HttpResponse<byte[]> r = reprox.get(path);
    assertThat(r.statusCode()).as(path + ": " + new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    return r.body();
  }
}
