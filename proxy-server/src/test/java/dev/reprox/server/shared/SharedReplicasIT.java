package dev.reprox.server.shared;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.testing.ReproxProcess;
import dev.reprox.storage.Digest;
import dev.reprox.testkit.apt.AptClient;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.apt.DebPackage;
import dev.reprox.testkit.http.StaticServer;
import dev.reprox.testkit.shared.NginxBalancer;
import dev.reprox.testkit.shared.PostgresServer;
import dev.reprox.testkit.shared.S3ProxyServer;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code reprox serve} replicas on one PostgreSQL and one S3 server behind nginx round-robin:
 * the real apt-get through the balancer gets the bytes a single-node reprox serves, many clients
 * on both replicas asking a new T at once all get one answer, stored as one pin row, and many
 * clients on both replicas asking for one cold package cause one upstream GET.
 */
class SharedReplicasIT {
  private static final Instant T1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final String AT_T1 = "@20240301T010000Z";
  private static final Instant NEW_T = Instant.parse("2024-03-05T00:00:00Z");
  private static final String AT_NEW_T = "@20240305T000000Z";
  private static final String ROOT = "dists/stable/InRelease";
  /** The cold package: big enough that its fill is still running when the other replica asks. */
  private static final int BIG = 8 << 20;

  static PostgresServer postgres;
  static S3ProxyServer s3;

  @TempDir
  Path tmp;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  static void startServers() {
    postgres = PostgresServer.start();
    s3 = S3ProxyServer.start(S3ProxyServer.jarFromProperty());
  }

  @AfterAll
  static void stopServers() {
    if (s3 != null) {
      s3.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void aptGet_throughTwoBalancedReplicas_sameBytesAsSingleNode_andConcurrentNewT_oneAnswerOneRow() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).acquireByHash(true).add("foo", "1.0")
        .add("bar", "2.1").add(DebPackage.of("big", "1.0").withPayloadSize(BIG));
    AptGeneration g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    String jdbc = postgres.newDatabase();
    Path jar = ReproxProcess.privateJar(tmp.resolve("reprox.jar"));
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      String repos = repositories(upstream.baseUri(), keyring);
      Path shared = Files.writeString(tmp.resolve("shared.yaml"), repos + storage(jdbc));
      Path single = Files.writeString(tmp.resolve("single.yaml"), repos);
      try (ReproxProcess a = serve(jar, "a", shared);
          ReproxProcess b = serve(jar, "b", shared);
          ReproxProcess one = serve(jar, "single", single);
          NginxBalancer lb = NginxBalancer.start(tmp.resolve("nginx"), List.of(a.address, b.address))) {
        // 1. the real apt-get at T1, through the balancer and against a single node: same bytes
        List<Path> balanced = apt("lb", URI.create(lb.base() + "fix/" + AT_T1 + "/"), keyring).downloadOnly("foo", "bar");
        List<Path> alone = apt("one", URI.create(one.base() + "/fix/" + AT_T1 + "/"), keyring)
            .downloadOnly("foo", "bar");
        assertThat(balanced).hasSize(2);
        for (int i = 0; i < 2; i++) {
          assertThat(balanced.get(i).getFileName()).isEqualTo(alone.get(i).getFileName());
          assertThat(Files.readAllBytes(balanced.get(i))).isEqualTo(Files.readAllBytes(alone.get(i)));
        }
        assertThat(sha256(balanced.get(1))).isEqualTo(g1.deb("foo").sha256());
        assertThat(sha256(balanced.get(0))).isEqualTo(g1.deb("bar").sha256());
        // Round-robin spread apt's requests over both replicas (each one answered some).
        assertThat(servedBy(lb, a)).isPositive();
        assertThat(servedBy(lb, b)).isPositive();

        // 2. 16 clients on each replica ask a T nobody asked before, all at once
        Set<String> generations = concurrentRoots(List.of(a, b), 16);
        assertThat(generations).singleElement().isEqualTo("sha256:" + g1.inReleaseSha256());
        assertThat(pinRowsCovering(jdbc, NEW_T)).isEqualTo(1);

        // 3. 32 clients on each replica ask for one cold package at once: one upstream GET in all
        String big = g1.deb("big").poolPath();
        Set<String> bodies = concurrentGets(List.of(a, b), 32, "/fix/" + AT_T1 + "/" + big);
        assertThat(bodies).containsExactly(g1.deb("big").sha256());
        assertThat(upstream.requestsEndingWith("/" + big).stream().filter(r -> r.method().equals("GET")))
            .as("upstream GETs of %s", big).hasSize(1);
      }
    }
  }

  private Set<String> concurrentRoots(List<ReproxProcess> replicas, int perReplica) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(replicas.size() * perReplica);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
      for (ReproxProcess r : replicas) {
        for (int i = 0; i < perReplica; i++) {
          HttpRequest request = HttpRequest.newBuilder(URI.create(r.base() + "/fix/" + AT_NEW_T + "/" + ROOT))
              .timeout(Duration.ofSeconds(60)).build();
          answers.add(pool.submit(() -> {
            go.await();
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
          }));
        }
      }
      go.countDown();
      Set<String> generations = new HashSet<>();
      for (Future<HttpResponse<byte[]>> f : answers) {
        HttpResponse<byte[]> response = f.get(120, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(200);
        generations.add(response.headers().firstValue("X-Reprox-Generation").orElse("none"));
      }
      return generations;
    } finally {
      pool.shutdownNow();
    }
  }

  /** {@code perReplica} clients on each replica GET {@code path} at once; the SHA-256s of the bodies. */
  private Set<String> concurrentGets(List<ReproxProcess> replicas, int perReplica, String path) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(replicas.size() * perReplica);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
      for (ReproxProcess r : replicas) {
        for (int i = 0; i < perReplica; i++) {
          HttpRequest request = HttpRequest.newBuilder(URI.create(r.base() + path)).timeout(Duration.ofSeconds(120))
              .build();
          answers.add(pool.submit(() -> {
            go.await();
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
          }));
        }
      }
      go.countDown();
      Set<String> digests = new HashSet<>();
      for (Future<HttpResponse<byte[]>> f : answers) {
        HttpResponse<byte[]> response = f.get(180, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        digests.add(Digest.compute(response.body()).hex());
      }
      return digests;
    } finally {
      pool.shutdownNow();
    }
  }

  private long pinRowsCovering(String jdbc, Instant t) throws Exception {
    BigDecimal ns = BigDecimal.valueOf(t.getEpochSecond()).multiply(BigDecimal.valueOf(1_000_000_000L));
    try (Connection c = DriverManager.getConnection(jdbc, postgres.user(), "");
        PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pins WHERE repo = 'fix' AND root = ?"
            + " AND from_ns <= ? AND to_ns >= ?")) {
      ps.setString(1, ROOT);
      ps.setBigDecimal(2, ns);
      ps.setBigDecimal(3, ns);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Requests the balancer sent to {@code r}, by its access log. */
  private static long servedBy(NginxBalancer lb, ReproxProcess r) {
    return lb.accessLog().lines().filter(l -> l.startsWith(r.address + " ")).count();
  }

  private ReproxProcess serve(Path jar, String name, Path config) throws Exception {
    Path log = tmp.resolve(name + ".log");
    Files.createFile(log);
    ProcessBuilder command = ReproxProcess.command(jar, ReproxProcess.PARANOID, log, "serve", "--config",
        config.toString(), "--data", tmp.resolve("data-" + name).toString(), "--listen", "127.0.0.1:0",
        "--drain-timeout", "2");
    return ReproxProcess.start(command, log, Duration.ofSeconds(120));
  }

  private String storage(String jdbc) {
    return "storage:\n"
        + "  type: shared\n"
        + "  postgres: {url: \"" + jdbc + "\", user: " + postgres.user() + "}\n"
        + "  s3: {endpoint: \"" + s3.endpoint() + "\", bucket: reprox-it, access-key: " + S3ProxyServer.ACCESS_KEY
        + ", secret-key: " + S3ProxyServer.SECRET_KEY + "}\n"
        + "  local-cache: {max-size: 256MiB}\n";
  }

  private static String repositories(URI upstream, Path keyring) {
    String u = upstream.toString().replaceAll("/$", "");
    return "repositories:\n  fix:\n    format: apt\n    upstream: " + u + "\n    keyring: " + keyring
        + "\n    root-ttl: 60s\n";
  }

  private AptClient apt(String name, URI mirror, Path keyring) {
    AptClient apt = AptClient.builder(tmp.resolve("apt-" + name)).keyring(keyring)
        .source(mirror, "stable", "main", "check-valid-until=no").timeout(Duration.ofSeconds(120)).build();
    apt.update();
    return apt;
  }

  private static String sha256(Path file) throws java.io.IOException {
    return Digest.compute(Files.readAllBytes(file)).hex();
  }
}
