package dev.reprox.testkit.apk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import dev.reprox.testkit.http.StaticServer;

/** The protocol speaker against fixture repositories, a recording proxy, and a real Alpine index. */
class ApkClientTest {

  private static final Instant T1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final Instant T2 = Instant.parse("2024-03-02T12:00:00Z");
  private static final ApkKey KEY = ApkKey.generate("testkit-client.rsa.pub");
  private static final Path FIXTURES = Path.of("../fixtures");

  @TempDir
  Path tmp;

  @Test
  void update_thenFetch_indexThenPackage_G1ThenG2() throws Exception {
    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("repo")).key(KEY).date(T1).add("foo", "1.0-r0");
    ApkGeneration g1 = repo.publish();
    Path keys = tmp.resolve("keys");
    repo.writePublicKey(keys);
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      ApkClient apk = client(upstream.baseUri().resolve(repo.repositoryPath()), keys, null);

      assertThat(apk.update()).containsOnlyKeys("foo");
      List<Path> fetched = apk.fetch("foo");

      assertThat(fetched).singleElement().satisfies(f ->
          assertThat(ApkArchives.hex("SHA-256", Files.readAllBytes(f))).isEqualTo(g1.apk("foo").sha256()));
      assertThat(upstream.requests()).extracting(StaticServer.Request::path)
          .containsExactly("/" + g1.index(), "/" + g1.apk("foo").path());

      ApkGeneration g2 = repo.remove("foo").add("foo", "1.1-r0").date(T2).publish();
      apk.update();
      assertThat(apk.fetch("foo")).singleElement().satisfies(f ->
          assertThat(ApkArchives.hex("SHA-256", Files.readAllBytes(f))).isEqualTo(g2.apk("foo").sha256()));
    }
  }

  @Test
  void update_tamperedIndex_badSignature() {
    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("repo")).key(KEY).date(T1).add("foo", "1.0-r0");
    repo.publish();
    Path keys = tmp.resolve("keys");
    repo.writePublicKey(keys);
    repo.tamperIndex();
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      ApkClient apk = client(upstream.baseUri().resolve(repo.repositoryPath()), keys, null);

      assertThatThrownBy(apk::update).isInstanceOf(ApkException.class).hasMessageContaining("BAD signature");
    }
  }

  @Test
  void update_unknownKey_untrusted() {
    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("repo")).key(KEY).date(T1).add("foo", "1.0-r0");
    repo.publish();
    Path keys = tmp.resolve("keys");
    ApkKey.generate("stranger.rsa.pub").writePublicKey(keys);
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      ApkClient apk = client(upstream.baseUri().resolve(repo.repositoryPath()), keys, null);

      assertThatThrownBy(apk::update).isInstanceOf(ApkException.class).hasMessageContaining("UNTRUSTED");
    }
  }

  @Test
  void fetch_tamperedApk_badChecksumNothingWritten() {
    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("repo")).key(KEY).date(T1).add("foo", "1.0-r0");
    repo.publish();
    Path keys = tmp.resolve("keys");
    repo.writePublicKey(keys);
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      ApkClient apk = client(upstream.baseUri().resolve(repo.repositoryPath()), keys, null);
      apk.update();
      repo.tamperApk("foo");

      assertThatThrownBy(() -> apk.fetch("foo")).isInstanceOf(ApkException.class).hasMessageContaining("BAD checksum");
      assertThat(tmp.resolve("apk/cache/foo-1.0-r0.apk")).doesNotExist();
    }
  }

  @Test
  void proxy_absoluteFormWithBasicCredentialsAndApkUserAgent() throws Exception {
    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("repo")).key(KEY).date(T1).add("foo", "1.0-r0");
    ApkGeneration g1 = repo.publish();
    Path keys = tmp.resolve("keys");
    repo.writePublicKey(keys);
    List<String> seen = new CopyOnWriteArrayList<>();
    HttpServer proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    proxy.createContext("/", exchange -> {
      try (exchange) {
        seen.add(exchange.getRequestURI() + " " + exchange.getRequestHeaders().getFirst("Proxy-Authorization")
            + " " + exchange.getRequestHeaders().getFirst("User-Agent"));
        byte[] body = Files.readAllBytes(repo.root().resolve(exchange.getRequestURI().getPath().substring(1)));
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      }
    });
    proxy.start();
    try {
      URI line = URI.create("http://mirror.invalid:8080/" + repo.repositoryPath());
      ApkClient apk = client(line, keys, URI.create("http://1709251200@127.0.0.1:" + proxy.getAddress().getPort()));
      apk.update();
      apk.fetch("foo");

      String auth = "Basic " + Base64.getEncoder().encodeToString("1709251200".getBytes(StandardCharsets.UTF_8));
      assertThat(seen).containsExactly(
          "http://mirror.invalid:8080/" + g1.index() + " " + auth + " apk-tools/2.14.4",
          "http://mirror.invalid:8080/" + g1.apk("foo").path() + " " + auth + " apk-tools/2.14.4");
    } finally {
      proxy.stop(0);
    }
  }

  @Test
  void update_realAlpineIndex_verifiesWithAlpineKeys() throws Exception {
    Path mirror = tmp.resolve("mirror/v3.16/main/x86_64");
    Files.createDirectories(mirror);
    Files.copy(FIXTURES.resolve("real/alpine/v3.16-main-x86_64/APKINDEX.tar.gz"), mirror.resolve("APKINDEX.tar.gz"));
    try (StaticServer upstream = StaticServer.serve(tmp.resolve("mirror"))) {
      ApkClient apk = client(upstream.baseUri().resolve("v3.16/main"), FIXTURES.resolve("keys/apk"), null);

      Map<String, ApkClient.Record> records = apk.update();

      assertThat(records).hasSizeGreaterThan(4000);
      assertThat(records.get("alpine-baselayout")).satisfies(r -> {
        assertThat(r.version()).isEqualTo("3.2.0-r23");
        assertThat(r.size()).isEqualTo(11136);
        assertThat(r.uri().toString()).endsWith("/v3.16/main/x86_64/alpine-baselayout-3.2.0-r23.apk");
      });
    }
  }

  private ApkClient client(URI line, Path keys, URI proxy) {
    return ApkClient.builder(tmp.resolve("apk")).repository(line).keysDir(keys).proxy(proxy).build();
  }
}
