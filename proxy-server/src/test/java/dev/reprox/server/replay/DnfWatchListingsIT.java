package dev.reprox.server.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.pinning.TimeSpec;
import dev.reprox.server.testing.InProcessReprox;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.testkit.dnf.DnfGeneration;
import dev.reprox.testkit.dnf.DnfRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code watch:} with {@code listings: true} on a dnf repository whose repomd.xml names primary by
 * sha512 only ({@code createrepo_c --repomd-checksum sha512}): the watch fetches primary by that
 * name, checks it against repomd's hash and indexes it, so a package at T is then located without
 * primary being fetched again; a primary of the right size with other bytes is refused and
 * nothing from it is stored. The test holds the watch's tick and runs it after moving the clock.
 */
class DnfWatchListingsIT {
  static final Instant NOW = Instant.parse("2024-03-10T00:00:00Z");
  static final Duration ROUND = Duration.ofMinutes(11); // past interval (10m) plus the most jitter (1m)

  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(NOW);
  private final AtomicReference<Runnable> tick = new AtomicReference<>();
  private DnfRepoBuilder repo;
  private DnfGeneration generation;
  private String primary;
  private StaticServer upstream;
  private InProcessReprox reprox;

  @BeforeEach
  void start() throws Exception {
    repo = DnfRepoBuilder.in(tmp.resolve("www")).date(NOW.minus(Duration.ofHours(1))).repomdChecksum("sha512")
        .add("foo", "1.0");
    generation = repo.publish();
    assertThat(Files.readString(generation.resolve(DnfGeneration.REPOMD)))
        .contains("<checksum type=\"sha512\">").doesNotContain("type=\"sha256\"");
    primary = generation.files().keySet().stream().filter(p -> p.endsWith("-primary.xml.gz")).findFirst().orElseThrow();
    upstream = StaticServer.serve(tmp.resolve("www"), clock).honourConditionals();
    Path key = repo.writePublicKey(tmp.resolve("RPM-GPG-KEY-fixture"));
    String u = upstream.baseUri().toString().replaceAll("/$", "");
    reprox = new InProcessReprox(tmp.resolve("reprox"), "  fix:\n    format: dnf\n    upstream: " + u
        + "\n    keyring: " + key + "\n    root-ttl: 60s\n    watch:\n      roots: [" + DnfGeneration.REPOMD
        + "]\n      interval: 10m\n      listings: true\n" + "upstreams:\n  \"" + u + "\":\n    retries: 0\n", clock,
        b -> b.watchScheduler(t -> {
          tick.set(t);
          return () -> { };
        }));
  }

  @AfterEach
  void stop() {
    if (reprox != null) {
      reprox.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (repo != null) {
      repo.close();
    }
  }

  /** One watch round: the clock moves past the next due time, then the held tick runs (synchronously). */
  private void round() {
    clock.advance(ROUND);
    tick.get().run();
  }

  @Test
  void watch_sha512Primary_fetchedCheckedIndexed_packageLocatedWithoutFetchingItAgain() throws Exception {
    byte[] primaryBytes = Files.readAllBytes(generation.resolve(primary));
    DnfGeneration.BuiltRpm foo = generation.rpm("foo");

    round();

    assertThat(upstream.requestsEndingWith("-primary.xml.gz")).as("primary, fetched by the watch").hasSize(1);
    assertThat(reprox.storage.blobs().stat(Digest.compute(primaryBytes))).as("primary stored").isPresent();
    assertThat(upstream.requestsEndingWith(".rpm")).as("metadata only").isEmpty();

    HttpResponse<byte[]> rpm = reprox.get("fix/@" + TimeSpec.format(clock.instant()) + "/" + foo.path());
    assertThat(rpm.statusCode()).isEqualTo(200);
    assertThat(rpm.body()).isEqualTo(Files.readAllBytes(generation.resolve(foo.path())));
    assertThat(upstream.requestsEndingWith("-primary.xml.gz")).as("the watch's index located it").hasSize(1);
  }

  @Test
  void watch_tamperedSha512Primary_refused_nothingStoredOrIndexed() throws Exception {
    byte[] primaryBytes = Files.readAllBytes(generation.resolve(primary));
    repo.tamper(primary);
    byte[] tampered = Files.readAllBytes(generation.resolve(primary));
    assertThat(tampered).hasSameSizeAs(primaryBytes).isNotEqualTo(primaryBytes);
    DnfGeneration.BuiltRpm foo = generation.rpm("foo");

    round();

    assertThat(upstream.requestsEndingWith("-primary.xml.gz")).as("primary, fetched by the watch").isNotEmpty();
    assertThat(reprox.storage.blobs().stat(Digest.compute(tampered))).as("tampered primary stored").isEmpty();
    assertThat(reprox.storage.paths().lookup("fix", foo.path())).as("path index").isEmpty();
  }
}
