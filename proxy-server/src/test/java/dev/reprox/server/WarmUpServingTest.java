package dev.reprox.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.testing.InProcessReprox;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Ref;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up warm-up (issue 14) runs beside serving: a request never waits for it, it says in
 * {@code /metrics} which steps are done, and it leaves the store and the upstream alone.
 */
class WarmUpServingTest {
  private static final Instant T1 = Instant.parse("2026-03-01T00:00:00Z");
  private static final String DONE = "reprox_warmup_seconds{step=\"";
  private static final String[] STEPS = Stream.of("sha256", "upstream-client", "verify-eddsa", "verify-rsa", "keyrings",
      "listing").map(step -> DONE + step + "\"}").toArray(String[]::new);

  @TempDir
  Path tmp;

  @Test
  void inRelease_whileTheWarmUpIsHeld_answered_thenTheWarmUpFinishes() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).add("hello", "2.10-3");
    AptGeneration g = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(1);
    // The warm-up's thread is held before it starts: whatever the request needs, it loads itself.
    Executor held = task -> {
      Thread t = new Thread(() -> {
        try {
          release.await();
          task.run();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          finished.countDown();
        }
      }, "held-warm-up");
      t.setDaemon(true);
      t.start();
    };
    try (StaticServer upstream = StaticServer.serve(repo.root());
        InProcessReprox reprox = new InProcessReprox(tmp.resolve("reprox"), yaml(upstream, keyring),
            new MutableClock(T1.plusSeconds(60)), b -> b.warmUpExecutor(held))) {
      // With a timeout: a request that waited for the held warm-up would never be answered.
      HttpResponse<byte[]> inRelease = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          reprox.base().resolve("fix/" + g.inRelease())).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofByteArray());

      assertThat(inRelease.statusCode()).isEqualTo(200);
      assertThat(reprox.metrics()).doesNotContain(DONE);

      release.countDown();
      assertThat(finished.await(120, TimeUnit.SECONDS)).isTrue();
      assertThat(reprox.metrics()).contains(STEPS);
    } finally {
      release.countDown();
    }
  }

  @Test
  void warmUp_done_storesNothing_asksNoUpstream() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).add("hello", "2.10-3");
    repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    try (StaticServer upstream = StaticServer.serve(repo.root());
        InProcessReprox reprox = new InProcessReprox(tmp.resolve("reprox"), yaml(upstream, keyring),
            new MutableClock(T1.plusSeconds(60)), false)) {
      // Polled: the warm-up runs on its own thread after the bind (seconds on a loaded machine).
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      String metrics = reprox.metrics();
      while (!allDone(metrics) && System.nanoTime() < deadline) {
        Thread.sleep(20);
        metrics = reprox.metrics();
      }
      assertThat(metrics).contains(STEPS);
      // The listing sample was parsed as the indexer parses a listing, but indexed for no
      // repository, and no metric but the step's own names it.
      Digest sample = Digest.compute(sampleListing());
      assertThat(reprox.storage.paths().isIndexed("fix", sample)).isFalse();
      assertThat(metrics.lines().filter(l -> l.contains("warm-up") && !l.startsWith("#") && !l.startsWith("reprox_warmup_seconds")))
          .isEmpty();

      List<Ref> refs = new ArrayList<>();
      reprox.storage.refs().forEach(refs::add);
      assertThat(refs).isEmpty();
      assertThat(reprox.storage.stats().blobCount()).isZero();
      assertThat(reprox.storage.observations().roots("fix")).isEmpty();
      assertThat(reprox.storage.pins().list("fix")).isEmpty();
      assertThat(upstream.requests()).isEmpty();
    }
  }

  private static boolean allDone(String metrics) {
    return Stream.of(STEPS).allMatch(metrics::contains);
  }

  private static byte[] sampleListing() throws java.io.IOException {
    try (java.io.InputStream in = WarmUpServingTest.class.getResourceAsStream(
        "/dev/reprox/server/fetch/warm-up/Packages.xz")) {
      assertThat(in).isNotNull();
      return in.readAllBytes();
    }
  }

  private static String yaml(StaticServer upstream, Path keyring) {
    return "  fix:\n    format: apt\n    upstream: " + upstream.baseUri().toString().replaceAll("/$", "")
        + "\n    keyring: " + keyring + "\n";
  }
}
