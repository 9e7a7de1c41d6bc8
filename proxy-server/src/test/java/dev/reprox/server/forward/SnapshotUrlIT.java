package dev.reprox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.testkit.apt.AptClient;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import dev.reprox.server.testing.InProcessReprox;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot server's own URL ({@code http://snapshot.debian.org/archive/<archive>/<T>/…}) in
 * forward mode is the repository whose {@code snapshot:} base it is, pinned at T, answered from
 * the store. This machine cannot reach snapshot.debian.org, so every 200 here came from reprox.
 */
class SnapshotUrlIT {
  private static final Instant T1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final String AT = "20240301T010000Z";
  private static final String SNAPSHOT = "http://snapshot.debian.org/archive/fixture/";

  @TempDir
  Path tmp;

  @Test
  void snapshotUrl_generationStored_servedWithoutAnyUpstreamRequest() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).acquireByHash(true).add("foo", "1.0");
    AptGeneration g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    MutableClock clock = new MutableClock(Instant.now());
    try (StaticServer upstream = StaticServer.serve(repo.root());
        InProcessReprox reprox = InProcessReprox.withConfig(tmp.resolve("reprox"), config(upstream.baseUri(), keyring), clock)) {
      // Stored by a mirror-mode client at T.
      List<Path> stored = apt("a", reprox.base().resolve("fixture/@" + AT + "/"), keyring, null).downloadOnly("foo");
      assertThat(stored).singleElement().satisfies(d -> assertThat(ForwardProxyIT.sha256(d)).isEqualTo(g1.deb("foo").sha256()));
      upstream.clearRequests();

      HttpResponse<byte[]> inRelease = reprox.viaProxy(SNAPSHOT + AT + "/dists/stable/InRelease");
      assertThat(inRelease.statusCode()).as(new String(inRelease.body())).isEqualTo(200);
      assertThat(Digest.compute(inRelease.body()).hex()).isEqualTo(g1.inReleaseSha256());

      // apt itself, with the snapshot URL in sources.list (apt >= 2.7 --snapshot requests the same shape)
      List<Path> viaSnapshot = apt("b", URI.create(SNAPSHOT + AT + "/"), keyring, reprox.proxyUri(null)).downloadOnly("foo");
      assertThat(viaSnapshot).singleElement()
          .satisfies(d -> assertThat(ForwardProxyIT.sha256(d)).isEqualTo(g1.deb("foo").sha256()));

      assertThat(upstream.requests()).as("answered from the store").isEmpty();
    }
  }

  private static String config(URI upstream, Path keyring) {
    return "repositories:\n  fixture:\n    format: apt\n    upstream: " + upstream + "\n    snapshot: " + SNAPSHOT
        + "\n    keyring: " + keyring + "\n";
  }

  private AptClient apt(String name, URI source, Path keyring, URI proxy) {
    AptClient.Builder b = AptClient.builder(tmp.resolve("apt-" + name)).keyring(keyring)
        .source(source, "stable", "main", "check-valid-until=no").timeout(Duration.ofSeconds(60));
    if (proxy != null) {
      b.proxy(proxy);
    }
    AptClient apt = b.build();
    apt.update();
    return apt;
  }
}
