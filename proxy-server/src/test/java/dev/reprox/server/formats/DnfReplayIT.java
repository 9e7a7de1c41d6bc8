package dev.reprox.server.formats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.testkit.dnf.DnfClient;
import dev.reprox.testkit.dnf.DnfGeneration;
import dev.reprox.testkit.dnf.DnfRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dnf record and replay with the real dnf (issue 5), gpgcheck=1 and repo_gpgcheck=1: G1 installed
 * through {@code baseurl=…/<repo>/@T1/}, the upstream moves to G2 (installed live once), then with
 * the upstream stopped the same install at T1, in mirror mode and in forward mode
 * ({@code proxy=http://<T1>@reprox}), gives G1's packages with identical headers. A repomd.xml
 * whose signature no longer verifies is refused (502) and never recorded.
 */
class DnfReplayIT {
  private static final String REPO = "dnffix";
  private static final String REPOMD = DnfGeneration.REPOMD;

  @TempDir
  Path tmp;

  @Test
  void install_atT1_upstreamStopped_mirrorAndForward_sameHeadersAsG1_tamperedRepomdRefused() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant t1 = now.minus(2, ChronoUnit.HOURS);
    try (DnfRepoBuilder repo = DnfRepoBuilder.in(tmp.resolve("upstream")).date(now.minus(3, ChronoUnit.HOURS))
        .add("foo", "1.0").add("bar", "1.0");
        StaticServer upstream = StaticServer.serve(tmp.resolve("upstream"))) {
      DnfGeneration g1 = repo.publish();
      Path key = repo.writePublicKey(tmp.resolve("RPM-GPG-KEY-fixture"));
      Path config = Files.writeString(tmp.resolve("reprox.yaml"), "repositories:\n  " + REPO + ":\n"
          + "    format: dnf\n    upstream: " + upstream.baseUri().toString().replaceAll("/$", "") + "\n"
          + "    keyring: " + key + "\n    root-ttl: 1ms\n");
      try (ReproxChild reprox = ReproxChild.serve("DnfReplayIT", config, tmp.resolve("data"))) {
        URI atT1 = URI.create(reprox.base() + "/" + REPO + "/@" + t1.getEpochSecond() + "/");
        List<String> first;
        try (DnfClient dnf = mirror("t1-first", atT1, key)) {
          dnf.install("foo", "bar");
          first = dnf.installed();
        }
        assertThat(first).contains(g1.rpm("foo").installedLine(), g1.rpm("bar").installedLine());

        DnfGeneration g2 = repo.remove("foo").add("foo", "2.0").date(now.minus(1, ChronoUnit.HOURS)).publish();
        try (DnfClient dnf = mirror("live", URI.create(reprox.base() + "/" + REPO + "/"), key)) {
          dnf.install("foo", "bar");
          assertThat(dnf.installed()).contains(g2.rpm("foo").installedLine());
        }
        assertThat(reprox.generations(REPO, REPOMD)).contains(g1.repomdSha256(), g2.repomdSha256());

        upstream.stop();
        int upstreamRequests = upstream.requests().size();
        try (DnfClient dnf = mirror("t1-replay", atT1, key)) {
          dnf.install("foo", "bar");
          assertThat(dnf.installed()).as("installed headers at T1, upstream stopped").isEqualTo(first);
        }
        // Forward mode: the .repo names the upstream itself; the proxy's user name carries T1. dnf's
        // default proxy_auth_method=any sends credentials only after a 407 challenge; reprox treats
        // a request without them as live, so the client must say basic (README, dnf section).
        try (DnfClient dnf = DnfClient.builder(tmp.resolve("dnf-forward")).repo("fixture", upstream.baseUri())
            .gpgKey(key).proxy(URI.create("http://" + t1.getEpochSecond() + "@127.0.0.1:" + reprox.port()))
            .setopt("proxy_auth_method", "basic").build()) {
          dnf.install("foo", "bar");
          assertThat(dnf.installed()).as("installed headers at T1 through the forward proxy").isEqualTo(first);
        }
        assertThat(upstream.requests()).as("nothing reached the stopped upstream").hasSize(upstreamRequests);

        // A repomd.xml that no longer matches its signature: refused, not recorded.
        upstream.start();
        repo.date(now.minus(30, ChronoUnit.MINUTES)).add("baz", "1.0").publish();
        repo.tamperRepomd();
        String tampered = sha256(Files.readAllBytes(repo.root().resolve(REPOMD)));
        assertThat(reprox.get("/" + REPO + "/" + REPOMD).statusCode()).isEqualTo(502);
        assertThat(reprox.generations(REPO, REPOMD)).doesNotContain(tampered)
            .contains(g1.repomdSha256(), g2.repomdSha256());
        reprox.close();
        assertThat(reprox.storedOf(List.of(tampered))).as("tampered repomd.xml in the store").isEmpty();
      }
    }
  }

  private DnfClient mirror(String name, URI baseurl, Path key) {
    return DnfClient.builder(tmp.resolve("dnf-" + name)).repo("fixture", baseurl).gpgKey(key).build();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
