package dev.reprox.server.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reprox.testkit.apk.ApkClient;
import dev.reprox.testkit.apk.ApkGeneration;
import dev.reprox.testkit.apk.ApkKey;
import dev.reprox.testkit.apk.ApkRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * apk record and replay through {@code /<repo>/@T/<branch>/<repo>} (issue 5): G1 fetched at T1,
 * the upstream moves to G2 (seen live once), then with the upstream stopped {@code @T1} gives G1's
 * index and package bytes and {@code @T2} G2's, with exactly the requests apk makes (APKINDEX, then
 * packages). A package whose control member was altered and an index whose signed member was
 * altered are refused and never stored.
 */
class ApkReplayIT {
  private static final String REPO = "apkfix";
  private static final String INDEX = "v3.20/main/x86_64/APKINDEX.tar.gz";

  @TempDir
  Path tmp;

  @Test
  void replay_atT1AndT2_upstreamStopped_servesEachGenerationsBytes_tamperedRefusedAndNotStored() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant d1 = now.minus(3, ChronoUnit.HOURS);
    Instant t1 = d1.plus(10, ChronoUnit.MINUTES);
    Instant d2 = now.minus(1, ChronoUnit.HOURS);
    Instant t2 = d2.plus(1, ChronoUnit.MINUTES);

    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("upstream")).key(ApkKey.generate("reprox-it.rsa.pub"))
        .date(d1).add("foo", "1.0-r0").add("bar", "2.0-r0");
    Path keys = Files.createDirectories(tmp.resolve("keys"));
    repo.writePublicKey(keys);
    ApkGeneration g1 = repo.publish();
    Map<String, byte[]> g1Bytes = snapshot(g1);

    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      Path config = Files.writeString(tmp.resolve("reprox.yaml"), "repositories:\n  " + REPO + ":\n"
          + "    format: apk\n    upstream: " + upstream.baseUri().toString().replaceAll("/$", "") + "\n"
          + "    keyring: " + keys + "\n    root-ttl: 1ms\n");
      ReproxChild reprox = ReproxChild.serve("ApkReplayIT", config, tmp.resolve("data"));
      try {
        // G1 at T1, the way apk does it: update (APKINDEX), then fetch the packages.
        ApkClient atT1 = client(reprox, "at-t1-first", "@" + t1.getEpochSecond() + "/");
        atT1.update();
        List<Path> fetched = atT1.fetch("foo", "bar");
        assertThat(Files.readAllBytes(fetched.get(0))).isEqualTo(g1Bytes.get(g1.apk("foo").path()));
        assertThat(atT1.requested()).extracting(URI::getPath).containsExactly(
            "/" + REPO + "/@" + t1.getEpochSecond() + "/" + INDEX,
            "/" + REPO + "/@" + t1.getEpochSecond() + "/v3.20/main/x86_64/foo-1.0-r0.apk",
            "/" + REPO + "/@" + t1.getEpochSecond() + "/v3.20/main/x86_64/bar-2.0-r0.apk");

        // The upstream moves on: foo 1.1 replaces 1.0, bar stays; observed live once.
        ApkGeneration g2 = repo.date(d2).remove("foo").add("foo", "1.1-r0").publish();
        Map<String, byte[]> g2Bytes = snapshot(g2);
        ApkClient live = client(reprox, "live", "");
        assertThat(live.update()).containsKey("foo");
        live.fetch("foo", "bar");
        String generations = reprox.generations(REPO, INDEX);
        assertThat(generations).contains(g1.indexSha256(), g2.indexSha256(), d1.toString(), d2.toString())
            .contains("\"publishedEstimated\" : false").doesNotContain("\"publishedEstimated\" : true");

        upstream.stop();
        int upstreamRequests = upstream.requests().size();

        ApkClient replay1 = client(reprox, "replay-t1", "@" + t1.getEpochSecond() + "/");
        assertThat(replay1.update().get("foo").version()).isEqualTo("1.0-r0");
        assertThat(reprox.get("/" + REPO + "/@" + t1.getEpochSecond() + "/" + INDEX).body())
            .isEqualTo(g1Bytes.get(INDEX));
        List<Path> again = replay1.fetch("foo", "bar");
        assertThat(Files.readAllBytes(again.get(0))).isEqualTo(g1Bytes.get(g1.apk("foo").path()));
        assertThat(Files.readAllBytes(again.get(1))).isEqualTo(g1Bytes.get(g1.apk("bar").path()));

        ApkClient replay2 = client(reprox, "replay-t2", "@" + t2.getEpochSecond() + "/");
        assertThat(replay2.update().get("foo").version()).isEqualTo("1.1-r0");
        assertThat(reprox.get("/" + REPO + "/@" + t2.getEpochSecond() + "/" + INDEX).body())
            .isEqualTo(g2Bytes.get(INDEX));
        List<Path> second = replay2.fetch("foo", "bar");
        assertThat(Files.readAllBytes(second.get(0))).isEqualTo(g2Bytes.get(g2.apk("foo").path()));
        assertThat(Files.readAllBytes(second.get(1))).isEqualTo(g2Bytes.get(g2.apk("bar").path()));
        assertThat(upstream.requests()).as("nothing reached the stopped upstream").hasSize(upstreamRequests);

        // A package whose control member was altered (same size): cut, not stored.
        upstream.start();
        ApkGeneration g3 = repo.date(now.minus(30, ChronoUnit.MINUTES)).add("baz", "3.0-r0").publish();
        String bazPath = g3.apk("baz").path();
        repo.tamperApk("baz");
        String tamperedApk = sha256(Files.readAllBytes(repo.root().resolve(bazPath)));
        ApkClient live3 = client(reprox, "live-3", "");
        live3.update();
        assertThatThrownBy(() -> live3.fetch("baz")).as("a package that is not what the index names")
            .isInstanceOf(RuntimeException.class);
        assertThat(upstream.requestsFor("/" + bazPath)).hasSize(1);
        assertThat(new String(reprox.get("/metrics").body(), StandardCharsets.UTF_8))
            .containsPattern("reprox_integrity_failures_total\\{[^}]*repo=\"" + REPO + "\"[^}]*\\} 1\\.0");
        repo.publish(); // the same generation again, untampered (the builder is deterministic)
        assertThat(Files.readAllBytes(live3.fetch("baz").get(0))).isEqualTo(Files.readAllBytes(repo.root().resolve(bazPath)));
        assertThat(upstream.requestsFor("/" + bazPath)).as("the refused body was not kept: fetched again").hasSize(2);

        // An index whose signed member was altered (same size): refused, not recorded.
        repo.date(now.minus(20, ChronoUnit.MINUTES)).add("qux", "4.0-r0").publish();
        repo.tamperIndex();
        String tamperedIndex = sha256(Files.readAllBytes(repo.root().resolve(INDEX)));
        assertThat(reprox.get("/" + REPO + "/" + INDEX).statusCode()).isEqualTo(502);
        assertThatThrownBy(() -> client(reprox, "live-4", "").update()).as("an index that does not verify")
            .isInstanceOf(RuntimeException.class);
        assertThat(reprox.generations(REPO, INDEX)).contains(g3.indexSha256()).doesNotContain(tamperedIndex);

        reprox.close();
        assertThat(reprox.storedOf(List.of(tamperedApk, tamperedIndex))).as("tampered bodies in the store").isEmpty();
        assertThat(reprox.storedOf(List.of(g1.indexSha256(), g1.apk("foo").sha256(), g2.apk("foo").sha256())))
            .hasSize(3);
      } finally {
        reprox.close();
      }
    }
  }

  @Test
  void live_indexDated1970_publishedAtIsFetchTime_markedEstimated() throws Exception {
    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("upstream")).key(ApkKey.generate("wolfi-like.rsa.pub"))
        .date(Instant.EPOCH).add("foo", "1.0-r0");
    Path keys = Files.createDirectories(tmp.resolve("keys"));
    repo.writePublicKey(keys);
    ApkGeneration g = repo.publish();
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      Path config = Files.writeString(tmp.resolve("reprox.yaml"), "repositories:\n  " + REPO + ":\n"
          + "    format: apk\n    upstream: " + upstream.baseUri().toString().replaceAll("/$", "") + "\n"
          + "    keyring: " + keys + "\n");
      try (ReproxChild reprox = ReproxChild.serve("ApkReplayIT-1970", config, tmp.resolve("data"))) {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        client(reprox, "live", "").update();
        Instant after = Instant.now();
        var generations = new ObjectMapper().readTree(reprox.generations(REPO, INDEX));
        assertThat(generations).hasSize(1);
        assertThat(generations.get(0).get("digest").asText()).endsWith(g.indexSha256());
        assertThat(generations.get(0).get("publishedEstimated").asBoolean()).isTrue();
        assertThat(Instant.parse(generations.get(0).get("publishedAt").asText()))
            .as("the fetch time stands in for 1970").isBetween(before, after);
      }
    }
  }

  private ApkClient client(ReproxChild reprox, String name, String at) {
    return ApkClient.builder(tmp.resolve("client-" + name))
        .repository(URI.create(reprox.base() + "/" + REPO + "/" + at + "v3.20/main"))
        .keysDir(tmp.resolve("keys")).arch("x86_64").build();
  }

  /** Every file of {@code g} as bytes, since the next publish overwrites or deletes them. */
  private static Map<String, byte[]> snapshot(ApkGeneration g) throws Exception {
    Map<String, byte[]> out = new LinkedHashMap<>();
    out.put(g.index(), Files.readAllBytes(g.resolve(g.index())));
    for (ApkGeneration.BuiltApk a : g.apks()) {
      out.put(a.path(), Files.readAllBytes(g.resolve(a.path())));
    }
    return out;
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
