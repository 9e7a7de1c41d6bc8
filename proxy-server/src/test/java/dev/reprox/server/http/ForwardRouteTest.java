package dev.reprox.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.config.ReproxConfig;
import dev.reprox.server.fetch.FetchRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** URL → repository mapping and the pin from {@code Proxy-Authorization}. */
class ForwardRouteTest {
  private static final Instant T = Instant.parse("2024-03-01T00:00:00Z");

  private final ForwardRoute route = new ForwardRoute(config(List.of("git.example:443"),
      repo("debian", "http://deb.debian.org/debian", "http://snapshot.debian.org/archive/debian/"),
      repo("debian-security", "http://deb.debian.org/debian-security", "http://snapshot.debian.org/archive/debian-security/"),
      repo("deep", "http://deb.debian.org/debian/extra", null),
      repo("ubuntu", "http://archive.ubuntu.com/ubuntu", "http://snapshot.ubuntu.com/ubuntu/"),
      repo("alpine", "https://dl-cdn.alpinelinux.org/alpine", null),
      repo("local", "http://127.0.0.1:8080/", null)));

  @Test
  void absoluteForm_prefixOfUpstream_mapsToRepositoryLive() {
    FetchRequest f = served(get("http://deb.debian.org/debian/dists/bookworm/InRelease"));
    assertThat(f.repository().name()).isEqualTo("debian");
    assertThat(f.path()).isEqualTo("dists/bookworm/InRelease");
    assertThat(f.at()).isEmpty();
  }

  @Test
  void absoluteForm_segmentBoundary_debianSecurityIsNotDebian() {
    assertThat(served(get("http://deb.debian.org/debian-security/dists/x/InRelease")).repository().name())
        .isEqualTo("debian-security");
    assertThat(refused(get("http://deb.debian.org/debianx/dists/x/InRelease")).status().code()).isEqualTo(403);
  }

  @Test
  void absoluteForm_longestPrefixWins() {
    FetchRequest f = served(get("http://deb.debian.org/debian/extra/pool/a.deb"));
    assertThat(f.repository().name()).isEqualTo("deep");
    assertThat(f.path()).isEqualTo("pool/a.deb");
  }

  @Test
  void absoluteForm_hostCaseAndDefaultPort_match() {
    assertThat(served(get("http://DEB.Debian.org:80/debian/pool/a.deb")).repository().name()).isEqualTo("debian");
    assertThat(refused(get("http://deb.debian.org:8080/debian/pool/a.deb")).status().code()).isEqualTo(403);
  }

  @Test
  void absoluteForm_httpRequestForHttpsUpstream_mapsByHostAndPath() {
    FetchRequest f = served(get("http://dl-cdn.alpinelinux.org/alpine/v3.19/main/x86_64/APKINDEX.tar.gz"));
    assertThat(f.repository().name()).isEqualTo("alpine");
    assertThat(f.path()).isEqualTo("v3.19/main/x86_64/APKINDEX.tar.gz");
  }

  @Test
  void absoluteForm_explicitPortAndRootPath() {
    FetchRequest f = served(get("http://127.0.0.1:8080/dists/stable/InRelease"));
    assertThat(f.repository().name()).isEqualTo("local");
    assertThat(f.path()).isEqualTo("dists/stable/InRelease");
  }

  @Test
  void absoluteForm_unconfiguredHost_403NamesRepositoriesAndUpstreams() {
    ForwardRoute.Refuse r = refused(get("http://evil.example/x"));
    assertThat(r.status().code()).isEqualTo(403);
    assertThat(r.status().reasonPhrase()).contains("no configured repository");
    assertThat(r.message()).contains("http://evil.example/x").contains("not an open proxy")
        .contains("debian: http://deb.debian.org/debian (snapshots http://snapshot.debian.org/archive/debian/<T>/)")
        .contains("alpine: https://dl-cdn.alpinelinux.org/alpine");
  }

  @Test
  void absoluteForm_unsafePath_400() {
    assertThat(refused(get("http://deb.debian.org/debian/%2e%2e/etc/passwd")).status().code()).isEqualTo(400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://[deb.debian.org]/debian/dists/bookworm/InRelease",
      "http://[deb.debian.org]:80/debian/dists/bookworm/InRelease", "http://[127.0.0.1]:8080/pool/a.deb",
      "http://[::1/debian/x", "http://deb.debian.org]/debian/x"})
  void absoluteForm_bracketsAroundNonIpv6Host_400(String uri) {
    ForwardRoute.Refuse r = refused(get(uri));
    assertThat(r.status().code()).isEqualTo(400);
    assertThat(r.outcome()).isEqualTo("bad_request");
  }

  @Test
  void absoluteForm_bracketedIpv6Literal_isAHost() {
    // Not configured, so refused as not covered: but read as a host, not as a bad target.
    assertThat(refused(get("http://[::1]:8080/pool/a.deb")).status().code()).isEqualTo(403);
  }

  @Test
  void originForm_hostHeaderNamesUpstream_mapped() {
    HttpRequest r = get("/debian/dists/bookworm/InRelease");
    r.headers().set("Host", "deb.debian.org");
    FetchRequest f = served(r);
    assertThat(f.repository().name()).isEqualTo("debian");
    assertThat(f.path()).isEqualTo("dists/bookworm/InRelease");
  }

  @Test
  void originForm_reproxItself_notForwardMode() {
    HttpRequest r = get("/debian/dists/bookworm/InRelease");
    r.headers().set("Host", "reprox:3142");
    assertThat(route.route(r)).isNull();
    HttpRequest other = get("/metrics");
    other.headers().set("Host", "deb.debian.org");
    assertThat(route.route(other)).as("upstream host, but no repository's path: mirror mode answers").isNull();
  }

  @Test
  void snapshotUrl_debian_mapsToRepositoryAtT() {
    FetchRequest f = served(get("http://snapshot.debian.org/archive/debian/20240301T000000Z/dists/bookworm/InRelease"));
    assertThat(f.repository().name()).isEqualTo("debian");
    assertThat(f.path()).isEqualTo("dists/bookworm/InRelease");
    assertThat(f.at()).hasValue(T);
  }

  @Test
  void snapshotUrl_ubuntu_mapsToRepositoryAtT() {
    FetchRequest f = served(get("http://snapshot.ubuntu.com/ubuntu/20240301T000000Z/pool/main/h/hello/hello.deb"));
    assertThat(f.repository().name()).isEqualTo("ubuntu");
    assertThat(f.at()).hasValue(T);
  }

  @Test
  void snapshotUrl_urlTimeWinsOverCredentials() {
    HttpRequest r = get("http://snapshot.debian.org/archive/debian-security/20240301T000000Z/dists/x/InRelease");
    r.headers().set("Proxy-Authorization", basic("1000000000"));
    FetchRequest f = served(r);
    assertThat(f.repository().name()).isEqualTo("debian-security");
    assertThat(f.at()).hasValue(T);
  }

  @Test
  void snapshotUrl_badTime_400NamingForms() {
    ForwardRoute.Refuse r = refused(get("http://snapshot.debian.org/archive/debian/yesterday/dists/x/InRelease"));
    assertThat(r.status().code()).isEqualTo(400);
    assertThat(r.message()).contains("YYYYMMDDTHHMMSSZ");
  }

  @Test
  void snapshotFile_sha1OnASnapshotHost_contentAddressedRequestToThatOrigin() {
    String sha1 = "0123456789ABCDEF0123456789abcdef01234567";
    FetchRequest f = served(get("http://snapshot.debian.org/file/" + sha1));
    assertThat(f.repository().name()).isEqualTo("debian");
    assertThat(f.path()).isEqualTo("file/" + sha1.toLowerCase(java.util.Locale.ROOT));
    assertThat(f.at()).isEmpty();
    assertThat(f.expected().sha256()).isNull();
    assertThat(f.expected().alias()).isEqualTo(dev.reprox.storage.Alias.ofHex(dev.reprox.storage.Alias.Kind.SHA1, sha1));
    assertThat(f.base()).isEqualTo(URI.create("http://snapshot.debian.org/"));
  }

  @Test
  void snapshotFile_notASha1OrNotASnapshotHost_refused() {
    assertThat(refused(get("http://snapshot.debian.org/file/not-a-hash")).status().code()).isEqualTo(403);
    assertThat(refused(get("http://deb.debian.org/file/0123456789abcdef0123456789abcdef01234567")).status().code())
        .isEqualTo(403);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1709251200", "20240301T000000Z", "20240301"})
  void credentials_anyTimeForm_pinsEveryPath(String user) {
    for (String url : List.of("http://deb.debian.org/debian/dists/bookworm/InRelease",
        "http://deb.debian.org/debian/pool/main/h/hello/hello_2.10-3_amd64.deb")) {
      HttpRequest r = get(url);
      r.headers().set("Proxy-Authorization", basic(user + ":ci-build-42"));
      ForwardRoute.Serve s = (ForwardRoute.Serve) route.route(r);
      assertThat(s.fetch().at()).as(url).hasValue(T);
      assertThat(s.build()).hasValue("ci-build-42");
    }
  }

  @Test
  void credentials_emptyUserWithLabel_liveWithLabel() {
    HttpRequest r = get("http://deb.debian.org/debian/dists/bookworm/InRelease");
    r.headers().set("Proxy-Authorization", basic(":label"));
    ForwardRoute.Serve s = (ForwardRoute.Serve) route.route(r);
    assertThat(s.fetch().at()).isEmpty();
    assertThat(s.build()).hasValue("label");
  }

  @ParameterizedTest
  @ValueSource(strings = {"yesterday", "2024-03-01", "17092512000000", "19700101"})
  void credentials_malformedTime_407SayingWhatIsExpected(String user) {
    HttpRequest r = get("http://deb.debian.org/debian/dists/bookworm/InRelease");
    r.headers().set("Proxy-Authorization", basic(user));
    ForwardRoute.Refuse refusal = refused(r);
    assertThat(refusal.status().code()).isEqualTo(407);
    assertThat(refusal.challenge()).isTrue();
    assertThat(refusal.message()).contains("SOURCE_DATE_EPOCH or YYYYMMDDTHHMMSSZ").contains("accepted forms");
  }

  @Test
  void credentials_notBasic_407() {
    HttpRequest r = get("http://deb.debian.org/debian/dists/bookworm/InRelease");
    r.headers().set("Proxy-Authorization", "Bearer abc");
    assertThat(refused(r).status().code()).isEqualTo(407);
    r.headers().set("Proxy-Authorization", "Basic !!!notbase64");
    assertThat(refused(r).status().code()).isEqualTo(407);
  }

  @Test
  void connect_refusedSayingUseHttp_allowListedIsATunnel() {
    ForwardRoute.Refuse r = (ForwardRoute.Refuse) route.connect("deb.debian.org:443");
    assertThat(r.status().code()).isEqualTo(403);
    assertThat(r.close()).isTrue();
    assertThat(r.message()).contains("use http:// sources").contains("signatures protect integrity")
        .contains("cannot be cached");
    assertThat(route.connect("GIT.example:443")).isEqualTo(new ForwardRoute.Tunnel("git.example", 443));
    assertThat(route.connect("git.example:0443")).isEqualTo(new ForwardRoute.Tunnel("git.example", 443));
    assertThat(route.connect("git.example:444")).isInstanceOf(ForwardRoute.Refuse.class);
    assertThat(route.connect("git.example")).isInstanceOf(ForwardRoute.Refuse.class);
  }

  private FetchRequest served(HttpRequest request) {
    ForwardRoute.Outcome o = route.route(request);
    assertThat(o).as(request.uri()).isInstanceOf(ForwardRoute.Serve.class);
    return ((ForwardRoute.Serve) o).fetch();
  }

  private ForwardRoute.Refuse refused(HttpRequest request) {
    ForwardRoute.Outcome o = route.route(request);
    assertThat(o).as(request.uri()).isInstanceOf(ForwardRoute.Refuse.class);
    return (ForwardRoute.Refuse) o;
  }

  static HttpRequest get(String uri) {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
  }

  static String basic(String userPass) {
    return "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
  }

  static ReproxConfig config(List<String> tunnelAllow, RepositoryConfig... repos) {
    Map<String, RepositoryConfig> map = new LinkedHashMap<>();
    for (RepositoryConfig r : repos) {
      map.put(r.name(), r);
    }
    return new ReproxConfig(new InetSocketAddress("127.0.0.1", 0), Path.of("unused"), true, map, tunnelAllow, Map.of());
  }

  static RepositoryConfig repo(String name, String upstream, String snapshot) {
    return new RepositoryConfig(name, RepositoryConfig.Format.APT, URI.create(upstream),
        Optional.ofNullable(snapshot).map(URI::create), new Keyring.None(), RepositoryConfig.PinningPolicy.BEST_EFFORT,
        Duration.ofSeconds(60), false);
  }
}
