package dev.reprox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import dev.reprox.server.testing.InProcessReprox;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * snapshot.debian.org's content addresses ({@code /file/<sha1>}) in forward mode: a package
 * reprox stored after its SHA-256 check is answered by its SHA-1 from the store, with no request
 * to anyone; a file it does not have is fetched from the snapshot server and stored only when its
 * SHA-1 matches. The snapshot server here is a local fixture at the configured snapshot origin.
 */
class SnapshotFileIT {
  @TempDir
  Path tmp;

  @Test
  void fileBySha1_storedDeb_servedFromTheStoreWithNoUpstreamRequest() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(Instant.parse("2024-03-01T00:00:00Z"))
        .add("foo", "1.0");
    AptGeneration g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    byte[] deb = Files.readAllBytes(g1.resolve(g1.deb("foo").poolPath()));
    byte[] elsewhere = "a file only the snapshot server has".getBytes();
    Path snap = Files.createDirectories(tmp.resolve("snapshot/file"));
    Files.write(snap.resolve(sha1(elsewhere)), elsewhere);
    Files.write(snap.resolve(sha1("what it should be".getBytes())), "what it is instead".getBytes());
    try (StaticServer upstream = StaticServer.serve(repo.root());
        StaticServer snapshot = StaticServer.serve(tmp.resolve("snapshot"));
        InProcessReprox reprox = InProcessReprox.withConfig(tmp.resolve("reprox"), config(upstream, snapshot, keyring),
            new MutableClock(Instant.now()))) {
      for (String path : List.of("dists/stable/InRelease", "dists/stable/main/binary-amd64/Packages.gz",
          g1.deb("foo").poolPath())) {
        assertThat(reprox.get("fixture/" + path).statusCode()).as(path).isEqualTo(200);
      }
      // A fill's last byte goes out at its digest check, before the commit records the aliases: ask
      // by SHA-1 once the alias is there (a request in the gap would go to the snapshot server).
      Alias debSha1 = Alias.ofHex(Alias.Kind.SHA1, sha1(deb));
      for (long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
          reprox.storage.aliases().resolve(debSha1).isEmpty() && System.nanoTime() < deadline; ) {
        Thread.sleep(10); // a poll on the condition, bounded by the deadline
      }
      upstream.clearRequests();
      String origin = "http://127.0.0.1:" + snapshot.baseUri().getPort();

      HttpResponse<byte[]> stored = reprox.viaProxy(origin + "/file/" + sha1(deb));
      assertThat(stored.statusCode()).as(new String(stored.body())).isEqualTo(200);
      assertThat(Digest.compute(stored.body())).isEqualTo(Digest.compute(deb));
      assertThat(upstream.requests()).isEmpty();
      assertThat(snapshot.requests()).as("answered from the store").isEmpty();

      HttpResponse<byte[]> fetched = reprox.viaProxy(origin + "/file/" + sha1(elsewhere));
      assertThat(fetched.statusCode()).isEqualTo(200);
      assertThat(fetched.body()).isEqualTo(elsewhere);
      assertThat(snapshot.requests()).hasSize(1);
      assertThat(reprox.storage.aliases().resolve(Alias.ofHex(Alias.Kind.SHA1, sha1(elsewhere))))
          .contains(Digest.compute(elsewhere));
      assertThat(reprox.viaProxy(origin + "/file/" + sha1(elsewhere)).body()).isEqualTo(elsewhere);
      assertThat(snapshot.requests()).as("the second time from the store").hasSize(1);

      String wrong = sha1("what it should be".getBytes());
      assertThat(failsOrNot200(reprox, origin + "/file/" + wrong)).as("a body whose SHA-1 is wrong").isTrue();
      assertThat(reprox.storage.aliases().resolve(Alias.ofHex(Alias.Kind.SHA1, wrong))).isEmpty();
      assertThat(reprox.storage.blobs().stat(Digest.compute("what it is instead".getBytes()))).isEmpty();
    }
  }

  private static boolean failsOrNot200(InProcessReprox reprox, String url) throws InterruptedException {
    try {
      return reprox.viaProxy(url).statusCode() != 200;
    } catch (IOException cut) {
      return true; // headers were out before the check failed: the connection is cut
    }
  }

  private static String config(StaticServer upstream, StaticServer snapshot, Path keyring) {
    URI snap = URI.create("http://127.0.0.1:" + snapshot.baseUri().getPort() + "/archive/fixture/");
    return "repositories:\n  fixture:\n    format: apt\n    upstream: " + upstream.baseUri() + "\n    snapshot: " + snap
        + "\n    keyring: " + keyring + "\n";
  }

  private static String sha1(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
  }
}
