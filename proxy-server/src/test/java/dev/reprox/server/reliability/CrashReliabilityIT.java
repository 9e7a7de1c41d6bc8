package dev.reprox.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.testing.ReproxProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.reprox.testkit.pgp.SigningKey;

/**
 * {@code kill -9} of a child reprox while 32 cold downloads (16 files, two clients each) stream
 * from a throttled upstream, at a random moment, round after round on the same RocksDB data dir.
 * After each kill: {@code reprox verify} is clean (every blob re-hashes to its key; a partial blob
 * would be damaged), and after the restart every file the server had answered from its store
 * before the kill is served identically without asking the upstream, and every interrupted one
 * succeeds on retry.
 * The files live on pass-through paths, so {@code root-ttl: 1h} keeps a stored copy from being
 * re-fetched as stale while a slow machine restarts the server.
 * {@code -Dreliability.rounds=N} (default 10), {@code -Dreliability.seed=S} to replay a run.
 */
class CrashReliabilityIT {
  private static final int FILES = 16;
  private static final int CLIENTS_PER_FILE = 2;
  /** How often a completed download asks whether its file is stored yet. */
  private static final Duration STORED_POLL = Duration.ofMillis(20);

  @TempDir
  Path dir;

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * {@code storedNanos}: when the server first answered the file from its store (Long.MAX_VALUE:
   * not seen). A client holds every byte a moment before the fill's commit is durable (its last
   * byte goes out at the digest check), so a download counts as stored-before-the-crash only
   * once the store answered for it, not when it ended.
   */
  record Download(String name, boolean complete, long endNanos, long storedNanos) {}

  /** The child currently serving; killed after the test whatever happened. */
  private ReproxProcess running;

  @AfterEach
  void killLeftover() {
    if (running != null && running.process.isAlive()) {
      running.process.destroyForcibly();
    }
  }

  @Test
  void kill9DuringColdDownloads_restartVerifiesCleanAndServesWhatCompleted() throws Exception {
    int rounds = Integer.getInteger("reliability.rounds", 10);
    long seed = Long.getLong("reliability.seed", System.nanoTime());
    System.out.println("CrashReliabilityIT: seed " + seed + " (-Dreliability.seed=" + seed + " replays), rounds " + rounds);
    Random random = new Random(seed);
    Path data = dir.resolve("data");
    Path config = dir.resolve("reprox.yaml");
    int interrupted = 0;
    int completedTotal = 0;
    try (ThrottledUpstream upstream = new ThrottledUpstream(4 * 1024 * 1024, 512 * 1024, 3 * 1024 * 1024)) {
      // Any keyring: without one, paths outside the index chain are relayed, not stored.
      Files.writeString(config, "repositories:\n  test:\n    format: apt\n    upstream: " + upstream.base()
          + "\n    keyring: " + SigningKey.ed25519("crash-it").writeKeyring(dir.resolve("it.gpg"))
          + "\n    root-ttl: 1h\n");
      ReproxProcess server = ReproxProcess.serve(config, data, dir.resolve("serve-0.log"));
      running = server;
      Map<String, Boolean> everCompleted = new LinkedHashMap<>();
      for (int round = 1; round <= rounds; round++) {
        List<String> names = new ArrayList<>();
        for (int f = 0; f < FILES; f++) {
          names.add("indices/crash/r" + round + "-f" + f + ".bin");
        }
        List<CompletableFuture<Download>> downloads = new ArrayList<>();
        CompletableFuture<Void> streaming = new CompletableFuture<>();
        for (String name : names) {
          for (int c = 0; c < CLIENTS_PER_FILE; c++) {
            ReproxProcess serving = server;
            downloads.add(download(server, name, upstream, streaming).thenCompose(d -> d.complete()
                ? storedAt(serving, name, System.nanoTime() + TimeUnit.SECONDS.toNanos(20))
                    .thenApply(at -> new Download(d.name(), true, d.endNanos(), at))
                : CompletableFuture.completedFuture(d)));
          }
        }
        streaming.get(30, TimeUnit.SECONDS); // the first response is under way: bodies are in flight
        long killAfterMillis = 200 + random.nextInt(1400);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(killAfterMillis)); // the random moment itself
        long killNanos = System.nanoTime();
        server.kill9();
        server.assertNoLeaks();

        List<String> completed = new ArrayList<>();
        List<String> cut = new ArrayList<>();
        for (CompletableFuture<Download> f : downloads) {
          Download d = f.get(30, TimeUnit.SECONDS);
          if (d.complete() && d.storedNanos() < killNanos) {
            if (!completed.contains(d.name())) {
              completed.add(d.name());
            }
          } else if (!d.complete() && !cut.contains(d.name())) {
            cut.add(d.name());
          }
        }
        cut.removeAll(completed);
        long anyComplete = downloads.stream().filter(f -> f.join().complete()).count();
        System.out.println("CrashReliabilityIT: round " + round + ": kill " + killAfterMillis + " ms after the first headers; "
            + anyComplete + " of " + downloads.size() + " downloads had completed, " + completed.size()
            + " files count as stored, " + cut.size() + " files interrupted");
        interrupted += cut.size();
        completedTotal += completed.size();

        ReproxProcess.Verify verify = ReproxProcess.verify(data, dir.resolve("verify-" + round + ".log"));
        assertThat(verify.exit()).as("round %d (seed %d): verify after kill -9:%n%s", round, seed, verify.output())
            .isZero();
        assertThat(verify.output()).contains(" 0 damaged");
        Matcher blobs = Pattern.compile("verify: (\\d+) blobs").matcher(verify.output());
        assertThat(blobs.find()).isTrue();
        assertThat(Integer.parseInt(blobs.group(1))).as("no blob beyond the files fetched so far")
            .isLessThanOrEqualTo(round * FILES);

        server = ReproxProcess.serve(config, data, dir.resolve("serve-" + round + ".log"));
        running = server;
        Map<String, Integer> before = new LinkedHashMap<>();
        completed.forEach(name -> before.put(name, upstream.requests(name)));
        List<CompletableFuture<Download>> again = new ArrayList<>();
        for (String name : completed) {
          again.add(download(server, name, upstream, null));
        }
        List<CompletableFuture<Download>> retries = new ArrayList<>();
        for (String name : cut) {
          retries.add(download(server, name, upstream, null));
        }
        for (CompletableFuture<Download> f : again) {
          Download d = f.get(60, TimeUnit.SECONDS);
          assertThat(d.complete()).as("round %d (seed %d): %s completed before the kill is served after restart",
              round, seed, d.name()).isTrue();
          assertThat(upstream.requests(d.name())).as("served from the store, not the upstream: %s", d.name())
              .isEqualTo(before.get(d.name()));
          everCompleted.put(d.name(), true);
        }
        for (CompletableFuture<Download> f : retries) {
          Download d = f.get(60, TimeUnit.SECONDS);
          assertThat(d.complete()).as("round %d (seed %d): interrupted %s succeeds on retry", round, seed, d.name())
              .isTrue();
        }
      }
      // Everything that ever completed is still there, unchanged, after all the crashes.
      for (String name : everCompleted.keySet()) {
        int before = upstream.requests(name);
        assertThat(download(server, name, upstream, null).get(30, TimeUnit.SECONDS).complete()).as(name).isTrue();
        assertThat(upstream.requests(name)).as(name).isEqualTo(before);
      }
      server.close();
    }
    System.out.println("CrashReliabilityIT: " + rounds + " rounds, " + completedTotal + " downloads completed before a kill, "
        + interrupted + " interrupted and retried");
    assertThat(completedTotal + interrupted).as("the kills landed among downloads").isPositive();
  }

  /**
   * One GET: complete means status 200 and the exact upstream bytes. A 200 whose body ends early
   * is an IOException (Content-Length); a complete body with other bytes fails the test at once.
   */
  private CompletableFuture<Download> download(ReproxProcess server, String name, ThrottledUpstream upstream,
      CompletableFuture<Void> headersArrived) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.base() + "/test/" + name))
        .timeout(Duration.ofSeconds(60)).build();
    HttpResponse.BodyHandler<byte[]> handler = info -> {
      if (headersArrived != null) {
        headersArrived.complete(null);
      }
      return HttpResponse.BodySubscribers.ofByteArray();
    };
    return client.sendAsync(request, handler).handle((r, error) -> {
      long end = System.nanoTime();
      if (error != null) {
        return new Download(name, false, end, Long.MAX_VALUE);
      }
      if (r.statusCode() != 200) {
        return new Download(name, false, end, Long.MAX_VALUE);
      }
      assertThat(ThrottledUpstream.sha256(r.body())).as("a complete 200 for %s has the upstream's bytes", name)
          .isEqualTo(upstream.sha256(name));
      return new Download(name, true, end, Long.MAX_VALUE);
    });
  }

  /**
   * When the server first answered {@code name}'s first byte from its store ({@code
   * X-Reprox-Cache: HIT}): a committed blob, which a kill -9 cannot take back. Long.MAX_VALUE once
   * the server is gone (the kill) or the deadline passed. Asked again every {@link #STORED_POLL}
   * while the fill's commit is still on its way (such a request joins the fill: no upstream GET).
   */
  private CompletableFuture<Long> storedAt(ReproxProcess server, String name, long deadlineNanos) {
    HttpRequest first = HttpRequest.newBuilder(URI.create(server.base() + "/test/" + name)).header("Range", "bytes=0-0")
        .timeout(Duration.ofSeconds(10)).build();
    return client.sendAsync(first, HttpResponse.BodyHandlers.discarding()).handle((r, error) -> {
      if (error != null) {
        return CompletableFuture.completedFuture(Long.MAX_VALUE);
      }
      if (r.headers().firstValue("X-Reprox-Cache").filter("HIT"::equals).isPresent()) {
        return CompletableFuture.completedFuture(System.nanoTime());
      }
      if (System.nanoTime() > deadlineNanos) {
        return CompletableFuture.completedFuture(Long.MAX_VALUE);
      }
      return CompletableFuture.supplyAsync(() -> null,
          CompletableFuture.delayedExecutor(STORED_POLL.toMillis(), TimeUnit.MILLISECONDS))
          .thenCompose(x -> storedAt(server, name, deadlineNanos));
    }).thenCompose(f -> f);
  }
}
