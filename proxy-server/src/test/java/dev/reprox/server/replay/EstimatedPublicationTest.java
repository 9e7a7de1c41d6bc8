package dev.reprox.server.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprox.storage.Storage;
import dev.reprox.storage.rocks.RocksStorage;
import dev.reprox.testkit.apk.ApkKey;
import dev.reprox.testkit.apk.ApkRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import dev.reprox.server.testing.InProcessReprox;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An APKINDEX with Wolfi's 1970 mtime has no usable publication time: it is dated once, by the
 * start of its first fetch (whole seconds), and that stored date is what every later answer
 * shows, across a restart (same RocksDB store, new server) too.
 */
class EstimatedPublicationTest {
  static final String INDEX = "v3.20/main/x86_64/APKINDEX.tar.gz";
  static final Instant C0 = Instant.parse("2025-01-01T00:00:00Z");

  @TempDir
  Path tmp;

  /** A clock that moves {@code step} ms on every reading: time passes while a request is handled. */
  static final class CreepingClock extends Clock {
    final AtomicLong millis;
    volatile long step;

    CreepingClock(Instant start) {
      this.millis = new AtomicLong(start.toEpochMilli());
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.getAndAdd(step));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  /** The store a restart reopens (the server closes it on shutdown). */
  private static Storage rocks(Path data, Clock clock) throws Exception {
    return RocksStorage.builder().path(data).clock(clock).build();
  }

  private static Instant published(HttpResponse<byte[]> r) {
    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
    return ZonedDateTime.parse(r.headers().firstValue("X-Reprox-Published").orElseThrow(),
        DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
  }

  @Test
  void wolfiStyleIndex_datedByFirstFetchStart_sameAfterRestart_andTheRequestThatFetchedItIsNotFirstUse()
      throws Exception {
    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("upstream")).key(ApkKey.generate("wolfi-test.rsa.pub"))
        .date(Instant.EPOCH).add("foo", "1.0-r0");
    Path keys = Files.createDirectories(tmp.resolve("keys"));
    repo.writePublicKey(keys);
    repo.publish();
    Path data = tmp.resolve("data");
    CreepingClock clock = new CreepingClock(C0);
    String at = "@" + C0.getEpochSecond() + "/";
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      String yaml = "  wolfi:\n    format: apk\n    upstream: " + upstream.baseUri().toString().replaceAll("/$", "")
          + "\n    keyring: " + keys + "\n    root-ttl: 600s\n";
      Instant first;
      try (InProcessReprox reprox = new InProcessReprox(tmp.resolve("a"), yaml, clock, false, rocks(data, clock))) {
        clock.step = 10; // from here on, every reading of the clock is 10 ms later
        HttpResponse<byte[]> r = reprox.get("wolfi/" + at + INDEX);

        first = published(r);
        assertThat(first).as("dated no later than T, the second the fetch started").isEqualTo(C0);
        assertThat(r.headers().firstValue("X-Reprox-Pin")).hasValue("proven");
        assertThat(r.headers().firstValue("Last-Modified")).isEqualTo(r.headers().firstValue("X-Reprox-Published"));
      }
      clock.step = 0;
      clock.millis.addAndGet(Duration.ofHours(3).toMillis());
      try (InProcessReprox restarted = new InProcessReprox(tmp.resolve("b"), yaml, clock, false, rocks(data, clock))) {
        assertThat(published(restarted.get("wolfi/" + at + INDEX))).isEqualTo(first);
        assertThat(published(restarted.get("wolfi/" + INDEX))).as("live").isEqualTo(first);
        JsonNode generations = new ObjectMapper().readTree(restarted.get("-/api/repos/wolfi/generations?root="
            + INDEX).body());
        assertThat(generations).singleElement().satisfies(g -> {
          assertThat(g.get("publishedAt").asText()).isEqualTo(first.toString());
          assertThat(g.get("publishedEstimated").asBoolean()).isTrue();
        });
      }
    }
  }
}
