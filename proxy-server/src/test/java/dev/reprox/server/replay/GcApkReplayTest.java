package dev.reprox.server.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.RetentionConfig;
import dev.reprox.server.gc.Collector;
import dev.reprox.server.gc.GcReport;
import dev.reprox.server.testing.InProcessReprox;
import dev.reprox.server.trust.StoredRoots;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.testkit.apk.ApkGeneration;
import dev.reprox.testkit.apk.ApkKey;
import dev.reprox.testkit.apk.ApkRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gc on an apk repository, where the APKINDEX is its own listing and packages are named by Q1
 * (an alias): a pinned T keeps its index and the packages it names, an old unpinned index goes
 * with the package only it named.
 */
class GcApkReplayTest {
  static final String INDEX = "v3.20/main/x86_64/APKINDEX.tar.gz";
  static final Instant D1 = Instant.parse("2024-03-01T00:00:00Z");
  static final Instant D2 = Instant.parse("2024-03-02T00:00:00Z");
  static final Instant D3 = Instant.parse("2024-09-01T00:00:00Z");

  @TempDir
  Path tmp;

  private static byte[] ok(InProcessReprox reprox, String path) throws Exception {
    HttpResponse<byte[]> r = reprox.get(path);
    assertThat(r.statusCode()).as(path + ": " + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(200);
    return r.body();
  }

  @Test
  void gc_pinnedApkIndexKeepsItsQ1NamedPackages_oldUnpinnedIndexGoesWithItsOwn() throws Exception {
    MutableClock clock = new MutableClock(D1.plusSeconds(3600));
    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("upstream")).key(ApkKey.generate("gc-test.rsa.pub"))
        .date(D1).add("foo", "1.0-r0").add("bar", "2.0-r0");
    Path keys = Files.createDirectories(tmp.resolve("keys"));
    repo.writePublicKey(keys);
    ApkGeneration g1 = repo.publish();
    String at1 = "apkfix/@" + D1.plusSeconds(600).getEpochSecond() + "/";
    StaticServer upstream = StaticServer.serve(repo.root());
    String yaml = "  apkfix:\n    format: apk\n    upstream: " + upstream.baseUri().toString().replaceAll("/$", "")
        + "\n    keyring: " + keys + "\n    root-ttl: 1s\n";
    try (InProcessReprox reprox = new InProcessReprox(tmp.resolve("reprox"), yaml, clock, false)) {
      byte[] index1 = ok(reprox, at1 + INDEX);
      byte[] foo1 = ok(reprox, at1 + g1.apk("foo").path());
      byte[] bar = ok(reprox, at1 + g1.apk("bar").path());
      ApkGeneration g2 = repo.date(D2).remove("foo").add("foo", "1.1-r0").publish();
      clock.set(D2.plusSeconds(3600));
      ok(reprox, "apkfix/" + INDEX);
      ok(reprox, "apkfix/" + g2.apk("foo").path());
      ApkGeneration g3 = repo.date(D3).remove("foo").add("baz", "3.0-r0").publish();
      clock.set(D3.plusSeconds(3600));
      ok(reprox, "apkfix/" + INDEX);
      Digest foo11 = Digest.sha256(g2.apk("foo").sha256());
      assertThat(reprox.storage.blobs().stat(foo11)).isPresent();

      GcReport done = Collector.builder().storage(reprox.storage).clock(clock)
          .retention(new RetentionConfig(Duration.ofDays(90), OptionalLong.empty(), Optional.empty(), Map.of()))
          .roots(StoredRoots.of(reprox.config, clock)).build().run();

      assertThat(done.generations()).isEqualTo(1);
      assertThat(reprox.storage.observations().generations("apkfix", INDEX)).extracting(g -> g.digest().hex())
          .containsExactly(g1.indexSha256(), g3.indexSha256());
      assertThat(reprox.storage.blobs().stat(foo11)).as("only g2 named foo 1.1").isEmpty();
      assertThat(reprox.storage.blobs().stat(Digest.sha256(g1.apk("foo").sha256()))).isPresent();
      upstream.close();
      assertThat(ok(reprox, at1 + INDEX)).isEqualTo(index1);
      assertThat(ok(reprox, at1 + g1.apk("foo").path())).isEqualTo(foo1);
      assertThat(ok(reprox, at1 + g1.apk("bar").path())).isEqualTo(bar);
    } finally {
      upstream.close();
    }
  }
}
