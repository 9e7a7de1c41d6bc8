package dev.reprox.server.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.testing.InProcessReprox;
import dev.reprox.storage.MutableClock;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 over HTTP, as {@code curl} would do it: after only {@code /<repo>/@T/…/InRelease}, a
 * plain GET of a pool file at T is answered 200 with its verified bytes and {@code X-Reprox-Pin};
 * reprox fetched the Packages that names it itself.
 */
class LocateOverHttpTest {
  private static final Instant G1 = Instant.parse("2024-03-01T00:00:00Z");

  @TempDir
  Path tmp;

  @Test
  void curl_packageAtT_onlyInReleaseFetched_200VerifiedWithPin() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(G1).add("hello", "2.10-3");
    AptGeneration g = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    String at = "fix/@" + G1.plusSeconds(60).getEpochSecond() + "/";
    try (StaticServer upstream = StaticServer.serve(repo.root());
        InProcessReprox reprox = new InProcessReprox(tmp.resolve("reprox"), "  fix:\n    format: apt\n"
            + "    upstream: " + upstream.baseUri().toString().replaceAll("/$", "") + "\n    keyring: " + keyring
            + "\n", new MutableClock(G1.plusSeconds(3600)), false)) {
      assertThat(reprox.get(at + g.inRelease()).statusCode()).isEqualTo(200);

      HttpResponse<byte[]> deb = reprox.get(at + g.deb("hello").poolPath());

      assertThat(deb.statusCode()).as(new String(deb.body())).isEqualTo(200);
      assertThat(deb.body()).isEqualTo(Files.readAllBytes(g.resolve(g.deb("hello").poolPath())));
      assertThat(deb.headers().firstValue("X-Reprox-Pin")).hasValueSatisfying(p -> assertThat(p).isNotBlank());
      assertThat(deb.headers().firstValue("X-Reprox-Generation")).hasValue("sha256:" + g.inReleaseSha256());
    }
  }
}
