package dev.reprox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.testkit.apt.AptClient;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.apt.CommandResult;
import dev.reprox.testkit.http.StaticServer;
import dev.reprox.server.testing.InProcessReprox;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real apt-get with {@code Acquire::http::Proxy=http://<T>@reprox/} and a sources.list that
 * names the upstream unchanged: record at T1, watch the upstream move, replay T1 with the
 * upstream stopped; unconfigured hosts and https sources are refused with a readable reason.
 */
class ForwardProxyIT {
  private static final Instant T1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final Instant T2 = Instant.parse("2024-03-02T12:00:00Z");
  private static final long PIN_T1 = T1.plus(Duration.ofHours(1)).getEpochSecond();

  @TempDir
  Path tmp;

  @Test
  void aptGet_pinnedThroughProxy_sameBytesWithUpstreamStopped() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).acquireByHash(true).add("foo", "1.0");
    AptGeneration g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    MutableClock clock = new MutableClock(Instant.now());
    try (StaticServer upstream = StaticServer.serve(repo.root());
        InProcessReprox reprox = InProcessReprox.withConfig(tmp.resolve("reprox"), yaml(upstream.baseUri(), keyring), clock)) {
      URI source = upstream.baseUri();
      // 1. pinned at T1 through the proxy: G1
      List<Path> first = updated("a", source, keyring, reprox.proxyUri(PIN_T1 + ":ci-1")).downloadOnly("foo");
      assertThat(first).singleElement().satisfies(d -> assertThat(sha256(d)).isEqualTo(g1.deb("foo").sha256()));
      assertThat(upstream.requests()).as("reprox fetched from the upstream the sources.list names").isNotEmpty();

      // 2. the upstream moves to G2; a client without credentials sees it live
      AptGeneration g2 = repo.remove("foo").add("foo", "2.0").date(T2).publish();
      clock.advance(Duration.ofMinutes(2));
      List<Path> live = updated("b", source, keyring, reprox.proxyUri(null)).downloadOnly("foo");
      assertThat(live).singleElement().satisfies(d -> assertThat(sha256(d)).isEqualTo(g2.deb("foo").sha256()));

      // 3. upstream stopped: the same T1 command gives the same bytes
      upstream.stop();
      List<Path> replay = updated("c", source, keyring, reprox.proxyUri(Long.toString(PIN_T1))).downloadOnly("foo");
      assertThat(replay).singleElement().satisfies(d -> {
        assertThat(d.getFileName()).hasToString("foo_1.0_amd64.deb");
        assertThat(sha256(d)).isEqualTo(sha256(first.get(0)));
      });
    }
  }

  @Test
  void aptGet_unconfiguredHostAndHttpsSource_refusedWithReadableReason() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).add("foo", "1.0");
    repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    MutableClock clock = new MutableClock(Instant.now());
    try (StaticServer upstream = StaticServer.serve(repo.root());
        InProcessReprox reprox = InProcessReprox.withConfig(tmp.resolve("reprox"), yaml(upstream.baseUri(), keyring), clock)) {
      URI proxy = reprox.proxyUri(Long.toString(PIN_T1));
      CommandResult unconfigured = client("d", URI.create("http://unconfigured.example/debian/"), keyring, proxy)
          .tryUpdate();
      assertThat(unconfigured.output()).as(unconfigured.describe())
          .contains("403").contains("no configured repository covers this URL");

      AptClient https = AptClient.builder(tmp.resolve("apt-e")).keyring(keyring)
          .source(URI.create("https://deb.debian.org/debian/"), "stable", "main", "check-valid-until=no")
          .proxy(proxy).option("Acquire::https::Proxy", proxy.toString()).build();
      CommandResult refused = https.tryUpdate();
      assertThat(refused.output()).as(refused.describe())
          .contains("403").contains("use http:// sources");
      assertThat(upstream.requests()).isEmpty();
    }
  }

  static String yaml(URI upstream, Path keyring) {
    return "repositories:\n  fix:\n    format: apt\n    upstream: " + upstream + "\n    keyring: " + keyring
        + "\n    root-ttl: 60s\n";
  }

  private AptClient updated(String name, URI source, Path keyring, URI proxy) {
    AptClient apt = client(name, source, keyring, proxy);
    apt.update();
    return apt;
  }

  private AptClient client(String name, URI source, Path keyring, URI proxy) {
    return AptClient.builder(tmp.resolve("apt-" + name)).keyring(keyring)
        .source(source, "stable", "main", "check-valid-until=no").proxy(proxy).timeout(Duration.ofSeconds(60)).build();
  }

  static String sha256(Path file) throws java.io.IOException {
    return Digest.compute(Files.readAllBytes(file)).hex();
  }
}
