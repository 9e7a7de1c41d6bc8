package dev.reprox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.testing.InProcessReprox;
import dev.reprox.storage.MutableClock;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's locate step in forward mode: a package at T whose generation only had its root
 * recorded is answered 200 with its verified bytes and {@code X-Reprox-Pin}, reprox fetching the
 * listing that names it itself, whether T comes from {@code Proxy-Authorization} (absolute-form
 * GET of the upstream's URL) or from a snapshot server's URL. The snapshot server here is a local
 * one (its URL maps to the repository like snapshot.debian.org's would), so nothing leaves the host.
 */
class LocateForwardTest {
  private static final Instant G1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final Instant T = G1.plusSeconds(60);
  private static final String AT = "20240301T000100Z";

  @TempDir
  Path tmp;

  @Test
  void forward_packageAtT_epochInProxyAuthorization_onlyRootRecorded_200VerifiedWithPin() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(G1).add("hello", "2.10-3");
    AptGeneration g = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    try (StaticServer upstream = StaticServer.serve(repo.root());
        InProcessReprox reprox = InProcessReprox.withConfig(tmp.resolve("reprox"),
            yaml(upstream.baseUri(), null, keyring), new MutableClock(G1.plusSeconds(3600)))) {
      String base = upstream.baseUri().toString().replaceAll("/$", "") + "/";
      String auth = T.getEpochSecond() + ":locate-1";
      assertThat(viaProxy(reprox, base + g.inRelease(), auth).status()).isEqualTo(200);
      upstream.clearRequests();

      Raw deb = viaProxy(reprox, base + g.deb("hello").poolPath(), auth);

      assertThat(deb.status()).as(new String(deb.body(), StandardCharsets.UTF_8)).isEqualTo(200);
      assertThat(deb.body()).isEqualTo(Files.readAllBytes(g.resolve(g.deb("hello").poolPath())));
      assertThat(deb.headers().get("x-reprox-pin")).isNotBlank();
      assertThat(deb.headers().get("x-reprox-generation")).isEqualTo("sha256:" + g.inReleaseSha256());
      assertThat(upstream.requestsEndingWith(g.file("dists/stable/main/binary-amd64/Packages.gz").sha256()))
          .as("reprox fetched the listing itself, by hash").hasSize(1);
    }
  }

  @Test
  void snapshotUrl_packageAtT_onlyRootRecorded_200VerifiedWithPin() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(G1).add("hello", "2.10-3");
    AptGeneration g = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    // A snapshot server's layout, <base><T>/<path>, over the same repository.
    Path archive = Files.createDirectories(tmp.resolve("snapshot/archive/fixture"));
    Files.createSymbolicLink(archive.resolve(AT), repo.root());
    try (StaticServer upstream = StaticServer.serve(repo.root());
        StaticServer snapshot = StaticServer.serve(tmp.resolve("snapshot"));
        InProcessReprox reprox = InProcessReprox.withConfig(tmp.resolve("reprox"),
            yaml(upstream.baseUri(), snapshot.baseUri().resolve("archive/fixture/"), keyring),
            new MutableClock(G1.plusSeconds(3600)))) {
      String at = snapshot.baseUri().resolve("archive/fixture/" + AT + "/").toString();
      HttpResponse<byte[]> root = reprox.viaProxy(at + g.inRelease());
      assertThat(root.statusCode()).as(new String(root.body(), StandardCharsets.UTF_8)).isEqualTo(200);

      HttpResponse<byte[]> deb = reprox.viaProxy(at + g.deb("hello").poolPath());

      assertThat(deb.statusCode()).as(new String(deb.body(), StandardCharsets.UTF_8)).isEqualTo(200);
      assertThat(deb.body()).isEqualTo(Files.readAllBytes(g.resolve(g.deb("hello").poolPath())));
      assertThat(deb.headers().firstValue("X-Reprox-Pin")).hasValueSatisfying(p -> assertThat(p).isNotBlank());
      assertThat(deb.headers().firstValue("X-Reprox-Generation")).hasValue("sha256:" + g.inReleaseSha256());
    }
  }

  private static String yaml(URI upstream, URI snapshot, Path keyring) {
    return "repositories:\n  fixture:\n    format: apt\n    upstream: " + upstream.toString().replaceAll("/$", "")
        + "\n" + (snapshot == null ? "" : "    snapshot: " + snapshot + "\n") + "    keyring: " + keyring + "\n";
  }

  private record Raw(int status, Map<String, String> headers, byte[] body) {}

  /**
   * An absolute-form GET through reprox with {@code Proxy-Authorization: Basic <auth>}, written on
   * a plain socket so the header reaches reprox exactly as apt sends it.
   */
  private static Raw viaProxy(InProcessReprox reprox, String url, String auth) throws IOException {
    URI uri = URI.create(url);
    try (Socket socket = new Socket("127.0.0.1", reprox.server.address().getPort())) {
      socket.setSoTimeout(60_000);
      String request = "GET " + url + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
          + "\r\nProxy-Authorization: Basic "
          + Base64.getEncoder().encodeToString(auth.getBytes(StandardCharsets.UTF_8))
          + "\r\nConnection: close\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      byte[] all = socket.getInputStream().readAllBytes();
      int end = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String[] head = new String(all, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < head.length; i++) {
        int colon = head[i].indexOf(':');
        headers.put(head[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), head[i].substring(colon + 1).trim());
      }
      return new Raw(Integer.parseInt(head[0].split(" ")[1]), headers, Arrays.copyOfRange(all, end + 4, all.length));
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("no end of headers in " + haystack.length + " bytes");
  }
}
