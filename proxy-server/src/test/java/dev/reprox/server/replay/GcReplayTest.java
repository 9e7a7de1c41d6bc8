package dev.reprox.server.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.RetentionConfig;
import dev.reprox.pinning.TimeSpec;
import dev.reprox.server.gc.Collector;
import dev.reprox.server.gc.GcReport;
import dev.reprox.server.testing.InProcessReprox;
import dev.reprox.server.trust.StoredRoots;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Generation;
import dev.reprox.storage.MutableClock;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reprox gc} on a serving store: a pinned T keeps its generation, listings and packages
 * (served byte for byte afterwards, with the upstream gone), the current generation stays, and an
 * unpinned generation older than the retention window goes with the package only it named.
 */
class GcReplayTest {
  static final String ROOT = "dists/stable/InRelease";
  static final String PACKAGES = "dists/stable/main/binary-amd64/Packages";
  static final Instant P1 = Instant.parse("2024-03-01T00:00:00Z");
  static final Instant P2 = Instant.parse("2024-03-02T00:00:00Z");
  static final Instant P3 = Instant.parse("2024-09-01T00:00:00Z");

  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(P1.plusSeconds(3600));
  private StaticServer upstream;
  private InProcessReprox reprox;
  private AptRepoBuilder repo;

  @BeforeEach
  void start() throws Exception {
    repo = AptRepoBuilder.in(tmp.resolve("www")).date(P1).add("foo", "1.0").add("bar", "1.0");
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    repo.publish();
    upstream = StaticServer.serve(repo.root());
    String u = upstream.baseUri().toString().replaceAll("/$", "");
    reprox = new InProcessReprox(tmp.resolve("reprox"), "  fix:\n    format: apt\n    upstream: " + u
        + "\n    keyring: " + keyring + "\n    root-ttl: 1s\n", clock, false);
  }

  @AfterEach
  void stop() {
    reprox.close();
    upstream.close();
  }

  private byte[] ok(String path) throws Exception {
    HttpResponse<byte[]> r = reprox.get(path);
    assertThat(r.statusCode()).as(path + ": " + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(200);
    return r.body();
  }

  /** An apt-get update and install of {@code pkgs} at {@code prefix} ("fix/@T/" or "fix/"). */
  private List<byte[]> build(String prefix, AptGeneration g, String... pkgs) throws Exception {
    List<byte[]> out = new ArrayList<>();
    out.add(ok(prefix + ROOT));
    out.add(ok(prefix + PACKAGES));
    for (String p : pkgs) {
      out.add(ok(prefix + g.deb(p).poolPath()));
    }
    return out;
  }

  private Collector.Builder gc(boolean dryRun, List<String> lines) {
    return Collector.builder().storage(reprox.storage).clock(clock)
        .retention(new RetentionConfig(Duration.ofDays(90), OptionalLong.empty(), Optional.empty(), Map.of()))
        .roots(StoredRoots.of(reprox.config, clock)).dryRun(dryRun).out(lines::add);
  }

  @Test
  void gc_sweepsTheOldUnpinnedGeneration_keepsPinnedAndCurrent_pinnedTServesIdenticalBytesOffline() throws Exception {
    // T1: a pinned build of g1.
    Instant t1 = P1.plusSeconds(1800);
    AptGeneration g1 = repo.publish();
    String at1 = "fix/@" + TimeSpec.format(t1) + "/";
    List<byte[]> pinned = build(at1, g1, "foo", "bar");
    // g2 replaces foo; fetched live only (no pin), then g3, half a year later, is current.
    AptGeneration g2 = repo.date(P2).remove("foo").add("foo", "2.0").publish();
    clock.set(P2.plusSeconds(3600));
    build("fix/", g2, "foo");
    AptGeneration g3 = repo.date(P3).remove("foo").add("foo", "3.0").publish();
    clock.set(P3.plusSeconds(3600));
    build("fix/", g3, "foo");
    Digest foo2 = Digest.sha256(g2.deb("foo").sha256());
    assertThat(reprox.storage.blobs().stat(foo2)).isPresent();
    assertThat(reprox.storage.observations().generations("fix", ROOT)).hasSize(3);

    List<String> dry = new ArrayList<>();
    GcReport preview = gc(true, dry).build().run();

    assertThat(reprox.storage.observations().generations("fix", ROOT)).as("a dry run deletes nothing").hasSize(3);
    assertThat(reprox.storage.blobs().stat(foo2)).isPresent();
    assertThat(dry).anyMatch(l -> l.contains("would delete blob " + foo2));

    List<String> lines = new ArrayList<>();
    GcReport done = gc(false, lines).build().run();

    assertThat(done.generations()).isEqualTo(1).isEqualTo(preview.generations());
    assertThat(done.blobs()).isEqualTo(preview.blobs()).isGreaterThanOrEqualTo(3); // InRelease, Packages*, foo 2.0
    assertThat(done.bytes()).isEqualTo(preview.bytes());
    assertThat(reprox.storage.observations().generations("fix", ROOT)).extracting(Generation::digest)
        .extracting(Digest::hex).containsExactly(g1.inReleaseSha256(), g3.inReleaseSha256());
    assertThat(reprox.storage.blobs().stat(foo2)).as("only g2 named foo 2.0").isEmpty();
    assertThat(reprox.storage.blobs().stat(Digest.sha256(g1.deb("foo").sha256()))).isPresent();
    assertThat(reprox.storage.blobs().stat(Digest.sha256(g3.deb("foo").sha256()))).isPresent();

    // The pinned T, again, with the upstream gone: the same bytes, from the store.
    upstream.close();
    assertThat(build(at1, g1, "foo", "bar")).containsExactlyElementsOf(pinned);
    // Nothing left to collect.
    assertThat(gc(false, new ArrayList<>()).build().run().blobs()).isZero();
  }

  @Test
  void gc_newBlobDuringTheSweep_isKept_andAPinWrittenAfterTheMark_keepsItsGeneration() throws Exception {
    AptGeneration g1 = repo.publish();
    byte[] root1 = build("fix/", g1, "foo").get(0);
    AptGeneration g2 = repo.date(P2).remove("foo").add("foo", "2.0").publish();
    clock.set(P3);
    build("fix/", g2, "foo");
    Instant t1 = P1.plusSeconds(1800);
    String at1 = "fix/@" + TimeSpec.format(t1) + "/";

    GcReport done = gc(false, new ArrayList<>()).beforeSweep(() -> {
      try {
        clock.set(P3.plusSeconds(10));
        build(at1, g1); // pins T1 to g1 between the mark and the sweep
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }).build().run();

    assertThat(done.generations()).as("g1 was pinned before it could go").isZero();
    assertThat(reprox.storage.observations().generations("fix", ROOT)).hasSize(2);
    upstream.close();
    assertThat(ok(at1 + ROOT)).isEqualTo(root1);
    assertThat(ok(at1 + g1.deb("foo").poolPath())).hasSize((int) g1.deb("foo").size());
  }
}
