package dev.reprox.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.testing.ReproxProcess;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptGeneration.BuiltDeb;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.apt.DebPackage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a child reprox while signed apt packages stream in cold (checked against the
 * Packages listing of a signed InRelease, from a throttled testkit repository) and the live
 * InRelease is being revalidated — a newer generation is published just before, so a root fetch
 * and its observation may be in flight too. Each round publishes a generation G with new packages,
 * fetches it as {@code apt-get update} would, pins T = G's date + 1 s through the resolve API and
 * a pinned InRelease, then starts two downloads per new package (one live, one pinned at T) and
 * kills at a random moment. After each kill: {@code reprox verify} is clean; after the restart the
 * resolve API answers the same generation for every T pinned so far, every pinned InRelease has
 * its generation's bytes, and every download — the interrupted ones included — succeeds with the
 * sha256 the signed listing names. {@code -Dreliability.signedRounds=N} (default 2: the first T
 * is checked across two kills; each round costs two JVM starts, the bulk of its time),
 * {@code -Dreliability.seed=S} replays the kill moments. Runs beside {@link CrashReliabilityIT}
 * (pass-through files, 10 rounds) rather than inside it, so that one keeps its length.
 */
class SignedCrashReliabilityIT {
  private static final int PACKAGES_PER_ROUND = 6;
  private static final long RATE = 1024 * 1024;
  private static final String ROOT = "dists/stable/InRelease";
  private static final String LISTING = "dists/stable/main/binary-amd64/Packages.xz";
  private static final DateTimeFormatter T = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);
  private static final Pattern GENERATION = Pattern.compile("\"generation\"\\s*:\\s*\"([^\"]+)\"");

  @TempDir
  Path dir;

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  /** The child currently serving; killed after the test whatever happened. */
  private ReproxProcess running;

  @AfterEach
  void killLeftover() {
    if (running != null && running.process.isAlive()) {
      running.process.destroyForcibly();
    }
  }

  record Download(String path, boolean complete) {}

  @Test
  void kill9DuringSignedDownloadsAndRootRevalidation_verifyClean_pinsIntact_retriesGetTheSignedBytes()
      throws Exception {
    int rounds = Integer.getInteger("reliability.signedRounds", 2);
    long seed = Long.getLong("reliability.seed", System.nanoTime());
    System.out.println("SignedCrashReliabilityIT: seed " + seed + " (-Dreliability.seed=" + seed + " replays), rounds "
        + rounds);
    Random random = new Random(seed);
    AptRepoBuilder repo = AptRepoBuilder.in(dir.resolve("repo"));
    Path keyring = repo.writeKeyring(dir.resolve("sig.gpg"));
    Path data = dir.resolve("data");
    Path config = dir.resolve("reprox.yaml");
    Set<String> roots = ConcurrentHashMap.newKeySet();
    Map<Instant, String> pinned = new LinkedHashMap<>(); // T -> generation digest the resolve API gave
    Map<Instant, String> pinnedRoots = new LinkedHashMap<>(); // T -> sha256 of that generation's InRelease
    int interrupted = 0;
    int completedBeforeKill = 0;
    try (ThrottledFiles upstream = new ThrottledFiles(repo.root(), RATE)) {
      Files.writeString(config, "repositories:\n  sig:\n    format: apt\n    upstream: " + upstream.base()
          + "\n    keyring: " + keyring + "\n    root-ttl: 1s\n");
      ReproxProcess server = ReproxProcess.serve(config, data, dir.resolve("serve-0.log"));
      running = server;
      Instant lastDate = Instant.EPOCH;
      for (int round = 1; round <= rounds; round++) {
        // G: dated a few seconds back, so T = date + 1 s is already past and an observation now proves it.
        List<String> phases = new ArrayList<>();
        long mark = System.nanoTime();
        Instant date = later(Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(5), lastDate);
        for (int p = 0; p < PACKAGES_PER_ROUND; p++) {
          // 64 KiB to 1.2 MiB at 1 MiB/s: some downloads end before the kill, most are cut. The first
          // is 4 MiB: at 1 MiB/s it is still streaming at the latest kill (1 s after the first
          // headers) with seconds to spare, so every round cuts at least one download.
          int size = p == 0 ? 4 << 20 : 64 * 1024 + random.nextInt(1150 * 1024);
          repo.add(DebPackage.of("r" + round + "p" + p, "1.0").withPayloadSize(size));
        }
        AptGeneration g = repo.date(date).publish();
        roots.add(g.inReleaseSha256());
        mark = phase(phases, "publish", mark);
        update(server, g);
        Instant at = date.plusSeconds(1);
        // The request at T pins (the read API only reads); the API then shows that pin.
        assertThat(sha256(get(server, "sig/@" + T.format(at) + "/" + ROOT))).isEqualTo(g.inReleaseSha256());
        String generation = resolve(server, at);
        assertThat(generation).as("T %s resolves to the generation just observed", at).isEqualTo("sha256:" + g.inReleaseSha256());
        pinned.put(at, generation);
        pinnedRoots.put(at, g.inReleaseSha256());
        mark = phase(phases, "update+pin", mark);

        String prefix = "r" + round + "p";
        List<BuiltDeb> fresh = g.debs().stream().filter(d -> d.name().startsWith(prefix)).toList();
        Map<String, String> expected = new LinkedHashMap<>();
        for (BuiltDeb deb : fresh) {
          expected.put("sig/" + deb.poolPath(), deb.sha256());
          expected.put("sig/@" + T.format(at) + "/" + deb.poolPath(), deb.sha256());
        }
        CompletableFuture<Void> streaming = new CompletableFuture<>();
        List<CompletableFuture<Download>> downloads = new ArrayList<>();
        for (Map.Entry<String, String> e : expected.entrySet()) {
          downloads.add(download(server, e.getKey(), e.getValue(), streaming));
        }
        // A newer generation (same packages, later date): revalidations of the live root observe it
        // around the kill; it must not move the pin of T.
        AptGeneration next = repo.date(date.plusSeconds(2)).publish();
        roots.add(next.inReleaseSha256());
        lastDate = next.date();
        AtomicBoolean killed = new AtomicBoolean();
        CompletableFuture<Void> revalidating = revalidate(server, roots, killed);

        streaming.get(30, TimeUnit.SECONDS);
        long killAfterMillis = 200 + random.nextInt(800);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(killAfterMillis)); // the random moment itself
        killed.set(true);
        server.kill9();
        server.assertNoLeaks();
        revalidating.get(30, TimeUnit.SECONDS);
        int complete = 0;
        for (CompletableFuture<Download> f : downloads) {
          complete += f.get(30, TimeUnit.SECONDS).complete() ? 1 : 0;
        }
        System.out.println("SignedCrashReliabilityIT: round " + round + ": kill " + killAfterMillis
            + " ms after the first headers; " + complete + " of " + downloads.size() + " package downloads complete");
        completedBeforeKill += complete;
        interrupted += downloads.size() - complete;

        mark = phase(phases, "load+kill", mark);
        ReproxProcess.Verify verify = ReproxProcess.verify(data, dir.resolve("verify-" + round + ".log"));
        assertThat(verify.exit()).as("round %d (seed %d): verify after kill -9:%n%s", round, seed, verify.output())
            .isZero();
        assertThat(verify.output()).contains(" 0 damaged");
        mark = phase(phases, "verify", mark);

        server = ReproxProcess.serve(config, data, dir.resolve("serve-" + round + ".log"));
        running = server;
        mark = phase(phases, "restart", mark);
        for (Map.Entry<Instant, String> pin : pinned.entrySet()) {
          assertThat(resolve(server, pin.getKey())).as("round %d (seed %d): T %s after the restart", round, seed,
              pin.getKey()).isEqualTo(pin.getValue());
          assertThat(sha256(get(server, "sig/@" + T.format(pin.getKey()) + "/" + ROOT)))
              .as("pinned InRelease at %s", pin.getKey()).isEqualTo(pinnedRoots.get(pin.getKey()));
        }
        update(server, next);
        List<CompletableFuture<Download>> retries = new ArrayList<>();
        for (Map.Entry<String, String> e : expected.entrySet()) {
          retries.add(download(server, e.getKey(), e.getValue(), null));
        }
        for (CompletableFuture<Download> f : retries) {
          Download d = f.get(60, TimeUnit.SECONDS);
          assertThat(d.complete()).as("round %d (seed %d): %s on retry", round, seed, d.path()).isTrue();
        }
        phase(phases, "pins+retries", mark);
        System.out.println("SignedCrashReliabilityIT: round " + round + " ms: " + String.join(", ", phases));
      }
      server.close();
    }
    System.out.println("SignedCrashReliabilityIT: " + rounds + " rounds, " + completedBeforeKill
        + " package downloads completed before a kill, " + interrupted + " interrupted and retried");
    assertThat(interrupted).as("the kills landed among downloads").isPositive();
  }

  private static long phase(List<String> phases, String name, long since) {
    long now = System.nanoTime();
    phases.add(name + " " + TimeUnit.NANOSECONDS.toMillis(now - since));
    return now;
  }

  private static Instant later(Instant wanted, Instant last) {
    return wanted.isAfter(last) ? wanted : last.plusSeconds(1);
  }

  /** As {@code apt-get update}: the live InRelease until reprox has moved to {@code g}, then its listing. */
  private void update(ReproxProcess server, AptGeneration g) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!sha256(get(server, "sig/" + ROOT)).equals(g.inReleaseSha256())) {
      assertThat(System.nanoTime()).as("reprox's live root moves to the generation of %s", g.date()).isLessThan(deadline);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // the root TTL (1 s) has to run out
    }
    assertThat(sha256(get(server, "sig/" + LISTING))).isEqualTo(g.file(LISTING).sha256());
  }

  /** The live root asked again and again until the kill; any 200 must be a published InRelease. */
  private CompletableFuture<Void> revalidate(ReproxProcess server, Set<String> roots, AtomicBoolean killed) {
    return CompletableFuture.runAsync(() -> {
      while (!killed.get()) {
        try {
          HttpResponse<byte[]> r = get(server, "sig/" + ROOT);
          if (r.statusCode() == 200) {
            assertThat(roots).as("a live InRelease served during the round").contains(sha256(r));
          }
        } catch (java.io.IOException e) {
          return; // the kill
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
    });
  }

  private String resolve(ReproxProcess server, Instant at) throws Exception {
    HttpResponse<byte[]> r = get(server, "-/api/repos/sig/resolve?root=" + ROOT + "&at=" + T.format(at));
    String body = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(r.statusCode()).as("resolve %s: %s", at, body).isEqualTo(200);
    assertThat(body).as("resolve %s: the pin of T is stored", at).containsPattern("\"pinned\" ?: ?true");
    Matcher m = GENERATION.matcher(body);
    assertThat(m.find()).as("a generation in %s", body).isTrue();
    return m.group(1);
  }

  private HttpResponse<byte[]> get(ReproxProcess server, String path) throws java.io.IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(server.base() + "/" + path)).timeout(Duration.ofSeconds(60))
        .build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String sha256(HttpResponse<byte[]> r) {
    assertThat(r.statusCode()).as("%s: %s", r.uri(), new String(r.body(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(200);
    return sha256(r.body());
  }

  private static String sha256(byte[] body) {
    return HexFormat.of().formatHex(ThrottledUpstream.sha256(body));
  }

  /** One GET: complete means 200 and the signed sha256; a complete 200 with other bytes fails the test. */
  private CompletableFuture<Download> download(ReproxProcess server, String path, String sha256,
      CompletableFuture<Void> headersArrived) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.base() + "/" + path))
        .timeout(Duration.ofSeconds(60)).build();
    return client.sendAsync(request, info -> {
      if (headersArrived != null) {
        headersArrived.complete(null);
      }
      return HttpResponse.BodySubscribers.ofByteArray();
    }).handle((r, error) -> {
      if (error != null || r.statusCode() != 200) {
        return new Download(path, false);
      }
      assertThat(sha256(r.body())).as("a complete 200 for %s has the signed bytes", path).isEqualTo(sha256);
      return new Download(path, true);
    });
  }
}
