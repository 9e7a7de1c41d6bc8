package dev.reprox.server.shared;

import static dev.reprox.server.shared.SharedStoreFixture.apt;
import static dev.reprox.server.shared.SharedStoreFixture.repositories;
import static dev.reprox.server.shared.SharedStoreFixture.serve;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.testing.ReproxProcess;
import dev.reprox.storage.Digest;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.apt.DebPackage;
import dev.reprox.testkit.dnf.DnfClient;
import dev.reprox.testkit.dnf.DnfGeneration;
import dev.reprox.testkit.dnf.DnfRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import dev.reprox.testkit.shared.NginxBalancer;
import dev.reprox.testkit.shared.S3ProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Two {@code reprox serve} replicas on one PostgreSQL and one S3 server behind nginx round-robin:
 * the real apt-get and dnf through the balancer get the bytes a single-node reprox serves, many
 * clients on both replicas asking a new T at once all get one answer, stored as one pin row, and
 * many clients on both replicas asking for one cold 50 MiB package cause one upstream GET. A
 * replica killed with SIGKILL mid-fill: the other completes every download and nothing partial
 * is left in the bucket or the database. PostgreSQL, then the S3 server, stopped under traffic:
 * 503s naming what is down, then full service with nothing lost.
 */
class SharedReplicasIT {
  private static final Instant T1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final String AT_T1 = "@20240301T010000Z";
  private static final Instant NEW_T = Instant.parse("2024-03-05T00:00:00Z");
  private static final String AT_NEW_T = "@20240305T000000Z";
  private static final String ROOT = "dists/stable/InRelease";
  /** The cold package: big enough that its fill is still running when the other replica asks. */
  private static final int BIG = 50 << 20;
  /** Packages whose fills the kill interrupts: sent at {@link #SLOW} they take ~4 s each. */
  private static final int MID = 16 << 20;
  private static final long SLOW = 4L << 20;

  @RegisterExtension
  static final SharedStoreFixture store = new SharedStoreFixture();

  @TempDir
  Path tmp;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Test
  void aptAndDnf_throughTwoBalancedReplicas_sameBytesAsSingleNode_concurrentNewT_oneRow_cold50MiB_oneGet()
      throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).acquireByHash(true).add("foo", "1.0")
        .add("bar", "2.1").add(DebPackage.of("big", "1.0").withPayloadSize(BIG));
    AptGeneration g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    // dnf checks the repository key's and signatures' dates: the rpm fixture lives near now.
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant dnfT = now.minus(2, ChronoUnit.HOURS);
    String jdbc = store.postgres().newDatabase();
    Path jar = ReproxProcess.privateJar(tmp.resolve("reprox.jar"));
    try (DnfRepoBuilder rpms = DnfRepoBuilder.in(tmp.resolve("rpms")).date(now.minus(3, ChronoUnit.HOURS))
        .add("foo", "1.0").add("bar", "1.0");
        StaticServer upstream = StaticServer.serve(repo.root());
        StaticServer rpmUpstream = StaticServer.serve(tmp.resolve("rpms"))) {
      DnfGeneration d1 = rpms.publish();
      Path rpmKey = rpms.writePublicKey(tmp.resolve("RPM-GPG-KEY-fixture"));
      String repos = repositories(upstream.baseUri(), keyring) + "  dnffix:\n    format: dnf\n    upstream: "
          + rpmUpstream.baseUri().toString().replaceAll("/$", "") + "\n    keyring: " + rpmKey + "\n";
      Path shared = Files.writeString(tmp.resolve("shared.yaml"), repos + store.storage(jdbc, "reprox-it", "", ""));
      Path single = Files.writeString(tmp.resolve("single.yaml"), repos);
      try (ReproxProcess a = serve(tmp, jar, "a", shared);
          ReproxProcess b = serve(tmp, jar, "b", shared);
          ReproxProcess one = serve(tmp, jar, "single", single);
          NginxBalancer lb = NginxBalancer.start(tmp.resolve("nginx"), List.of(a.address, b.address))) {
        // 1. the real apt-get at T1, through the balancer and against a single node: same bytes
        List<Path> balanced = apt(tmp, "lb", URI.create(lb.base() + "fix/" + AT_T1 + "/"), keyring).downloadOnly("foo", "bar");
        List<Path> alone = apt(tmp, "one", URI.create(one.base() + "/fix/" + AT_T1 + "/"), keyring)
            .downloadOnly("foo", "bar");
        assertThat(balanced).hasSize(2);
        for (int i = 0; i < 2; i++) {
          assertThat(balanced.get(i).getFileName()).isEqualTo(alone.get(i).getFileName());
          assertThat(Files.readAllBytes(balanced.get(i))).isEqualTo(Files.readAllBytes(alone.get(i)));
        }
        assertThat(sha256(balanced.get(1))).isEqualTo(g1.deb("foo").sha256());
        assertThat(sha256(balanced.get(0))).isEqualTo(g1.deb("bar").sha256());

        // 1b. the real dnf at T, likewise: same installed headers, same rpm files
        String atDnfT = "dnffix/@" + dnfT.getEpochSecond() + "/";
        Map<String, byte[]> rpmsBalanced;
        Map<String, byte[]> rpmsAlone;
        List<String> installedBalanced;
        try (DnfClient dnf = dnf("lb", URI.create(lb.base() + atDnfT), rpmKey)) {
          dnf.install("foo", "bar");
          installedBalanced = dnf.installed();
          rpmsBalanced = rpmFiles(dnf.cacheDir());
        }
        try (DnfClient dnf = dnf("one", URI.create(one.base() + "/" + atDnfT), rpmKey)) {
          dnf.install("foo", "bar");
          assertThat(dnf.installed()).isEqualTo(installedBalanced);
          rpmsAlone = rpmFiles(dnf.cacheDir());
        }
        assertThat(installedBalanced).contains(d1.rpm("foo").installedLine(), d1.rpm("bar").installedLine());
        assertThat(rpmsBalanced.keySet()).containsExactlyInAnyOrder(Path.of(d1.rpm("foo").path()).getFileName()
            .toString(), Path.of(d1.rpm("bar").path()).getFileName().toString());
        assertThat(rpmsBalanced).containsOnlyKeys(rpmsAlone.keySet());
        rpmsBalanced.forEach((name, bytes) -> assertThat(bytes).as(name).isEqualTo(rpmsAlone.get(name)));
        // Round-robin spread the clients' requests over both replicas (each one answered some).
        assertThat(servedBy(lb, a)).isPositive();
        assertThat(servedBy(lb, b)).isPositive();

        // 2. 16 clients on each replica ask a T nobody asked before, all at once
        Set<String> generations = concurrentRoots(List.of(a, b), 16);
        assertThat(generations).singleElement().isEqualTo("sha256:" + g1.inReleaseSha256());
        assertThat(pinRowsCovering(jdbc, NEW_T)).isEqualTo(1);

        // 3. 32 clients on each replica ask for one cold 50 MiB package at once: one upstream GET in all
        String big = g1.deb("big").poolPath();
        List<String> bodies = concurrentGets(List.of(a.base(), b.base()), 32, "/fix/" + AT_T1 + "/" + big);
        assertThat(bodies).hasSize(64).containsOnly(g1.deb("big").sha256());
        assertThat(upstream.requestsEndingWith("/" + big).stream().filter(r -> r.method().equals("GET")))
            .as("upstream GETs of %s", big).hasSize(1);
      }
    }
  }

  @Test
  void killMinus9OfTheFillingReplica_theOtherTakesTheFillsOver_everyDownloadCompletes_nothingPartialStored()
      throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).acquireByHash(true).add("foo", "1.0");
    for (int i = 1; i <= 3; i++) {
      repo.add(DebPackage.of("mid" + i, "1.0").withPayloadSize(MID + i));
    }
    AptGeneration g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    String jdbc = store.postgres().newDatabase();
    String bucket = "reprox-kill";
    Path jar = ReproxProcess.privateJar(tmp.resolve("reprox.jar"));
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      Path config = Files.writeString(tmp.resolve("shared.yaml"), repositories(upstream.baseUri(), keyring)
          + store.storage(jdbc, bucket, "", "  fill-lease: 2s\n"));
      try (ReproxProcess a = serve(tmp, jar, "a", config);
          ReproxProcess b = serve(tmp, jar, "b", config);
          NginxBalancer lb = NginxBalancer.start(tmp.resolve("nginx"), List.of(a.address, b.address))) {
        // Both replicas know T1's generation and listings; what follows fills only the packages.
        for (ReproxProcess r : List.of(a, b)) {
          indexes(r.base());
          assertThat(get(r.base() + "/fix/" + AT_T1 + "/" + g1.deb("foo").poolPath())).isEqualTo(g1.deb("foo").sha256());
        }
        upstream.throttle(SLOW);
        Map<String, String> packages = new TreeMap<>(); // pool path -> SHA-256
        for (int i = 1; i <= 3; i++) {
          packages.put(g1.deb("mid" + i).poolPath(), g1.deb("mid" + i).sha256());
        }
        String at = "fix/" + AT_T1 + "/";
        ExecutorService pool = Executors.newFixedThreadPool(36);
        try {
          List<Future<String>> downloads = new ArrayList<>();
          // First A alone: it takes the three fill leases and starts the upstream GETs.
          packages.keySet().forEach(p -> downloads.addAll(retrying(pool, 4, a.base() + "/" + at + p, lb.base() + at + p)));
          pollUntil("A is filling all three from upstream", () -> packages.keySet().stream()
              .allMatch(p -> upstreamGets(upstream, p) == 1) && rows(jdbc, "SELECT count(*) FROM fill_leases") == 3);
          // Then B's clients and the balancer's: they wait for A's fills.
          packages.keySet().forEach(p -> {
            downloads.addAll(retrying(pool, 4, b.base() + "/" + at + p, lb.base() + at + p));
            downloads.addAll(retrying(pool, 4, lb.base() + at + p, lb.base() + at + p));
          });
          assertThat(rows(jdbc, "SELECT count(*) FROM blobs WHERE size >= " + MID)).as("no fill done yet").isZero();
          a.kill9();

          List<String> got = new ArrayList<>();
          for (Future<String> f : downloads) {
            got.add(f.get(240, TimeUnit.SECONDS));
          }
          List<String> expected = new ArrayList<>();
          packages.values().forEach(sha -> {
            for (int i = 0; i < 12; i++) {
              expected.add(sha);
            }
          });
          assertThat(got).as("every download completes with the right bytes").containsExactlyInAnyOrderElementsOf(
              expected);
        } finally {
          pool.shutdownNow();
        }
        // One GET by A (killed mid-body), one by B once A's lease expired: B's waiters shared its fill.
        for (String p : packages.keySet()) {
          assertThat(upstreamGets(upstream, p)).as("upstream GETs of %s", p).isEqualTo(2);
        }
        pollUntil("B released its fill leases", () -> rows(jdbc, "SELECT count(*) FROM fill_leases") == 0);
        assertNothingPartial(jdbc, bucket, packages.values(), false);
      }
    }
  }

  @Test
  void postgresThenS3Stopped_underTraffic_503sNamingWhatIsDown_thenFullService_nothingLost() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).acquireByHash(true);
    for (int i = 1; i <= 6; i++) {
      repo.add(DebPackage.of("p" + i, "1.0").withPayloadSize(200_000 + i));
    }
    AptGeneration g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    String jdbc = store.postgres().newDatabase();
    String bucket = "reprox-restart";
    Path jar = ReproxProcess.privateJar(tmp.resolve("reprox.jar"));
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      Path config = Files.writeString(tmp.resolve("shared.yaml"), repositories(upstream.baseUri(), keyring)
          + store.storage(jdbc, bucket, "", ""));
      try (ReproxProcess a = serve(tmp, jar, "a", config);
          ReproxProcess b = serve(tmp, jar, "b", config);
          NginxBalancer lb = NginxBalancer.start(tmp.resolve("nginx"), List.of(a.address, b.address))) {
        // p1..p4 stored through A; p5 (asked by the traffic) and p6 stay cold. p4 and p6 are
        // not asked of B until S3 is down.
        Map<String, String> stored = new TreeMap<>();
        indexes(a.base());
        for (int i = 1; i <= 4; i++) {
          String path = "/fix/" + AT_T1 + "/" + g1.deb("p" + i).poolPath();
          assertThat(get(a.base() + path)).isEqualTo(g1.deb("p" + i).sha256());
          stored.put(path, g1.deb("p" + i).sha256());
        }
        String p4 = "/fix/" + AT_T1 + "/" + g1.deb("p4").poolPath();
        String generation = generationAt(a.base() + "/fix/" + AT_T1 + "/" + ROOT);
        long pins = rows(jdbc, "SELECT count(*) FROM pins");
        long blobs = rows(jdbc, "SELECT count(*) FROM blobs");

        // Traffic through the balancer the whole time: p1..p3, the cold p5, a root at new Ts.
        List<String> paths = new ArrayList<>(stored.keySet()).subList(0, 3);
        paths.add("/fix/" + AT_T1 + "/" + g1.deb("p5").poolPath());
        Map<String, String> sums = new TreeMap<>(stored);
        sums.put(paths.get(3), g1.deb("p5").sha256());
        Traffic traffic = new Traffic(lb.base(), paths, sums);
        Thread load = new Thread(traffic, "traffic");
        load.start();
        try {
          pollUntil("traffic flows", () -> traffic.answers.get(200) != null);

          store.postgres().stop();
          try {
            HttpResponse<String> down = text(b.base() + "/fix/@20240310T000000Z/" + ROOT);
            assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
            assertThat(down.body()).contains("database (PostgreSQL) unavailable");
          } finally {
            store.postgres().restart();
          }
          pollUntil("a new T answers after PostgreSQL is back",
              () -> text(b.base() + "/fix/@20240311T000000Z/" + ROOT).statusCode() == 200);

          store.s3().kill();
          try {
            HttpResponse<String> down = text(b.base() + p4);
            assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
            assertThat(down.body()).contains("object store (S3) unavailable");
            // A cold package: B knows the store is down, so it refuses the fill before answering
            // (a 503, not a 200 cut short when the upload fails at commit).
            HttpResponse<String> cold = text(b.base() + "/fix/" + AT_T1 + "/" + g1.deb("p6").poolPath());
            assertThat(cold.statusCode()).as(cold.body()).isEqualTo(503);
            assertThat(cold.body()).contains("object store (S3) unavailable");
          } finally {
            store.s3().restart();
          }
          pollUntil("p4 answers on B after S3 is back", () -> text(b.base() + p4).statusCode() == 200);
        } finally {
          traffic.stop.set(true);
          load.join(TimeUnit.SECONDS.toMillis(120));
        }
        // Every answer under traffic: the right bytes, or a 503 naming what is down. A response
        // already streaming when its store went away may be cut (never completed wrong): counted.
        assertThat(traffic.answers.keySet()).as("statuses under traffic; the others: %s", traffic.failures)
            .isSubsetOf(200, 503, CUT);
        assertThat(traffic.failures).allSatisfy(body -> assertThat(body).containsAnyOf(
            "database (PostgreSQL) unavailable", "object store (S3) unavailable", "cut: "));
        assertThat(traffic.answers.getOrDefault(CUT, 0)).as("cut responses: %s", traffic.failures)
            .isLessThanOrEqualTo(2);
        assertThat(traffic.answers.get(503)).as("traffic saw the outages").isPositive();
        assertThat(traffic.wrong).as("200s with other bytes than the package's").isEmpty();

        // Nothing lost: every stored package on both replicas, the pin at T1, and the cold one fills.
        for (ReproxProcess r : List.of(a, b)) {
          for (Map.Entry<String, String> e : stored.entrySet()) {
            assertThat(get(r.base() + e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
          }
          assertThat(generationAt(r.base() + "/fix/" + AT_T1 + "/" + ROOT)).isEqualTo(generation);
        }
        for (String cold : List.of("p5", "p6")) {
          String path = "/fix/" + AT_T1 + "/" + g1.deb(cold).poolPath();
          assertThat(get(b.base() + path)).isEqualTo(g1.deb(cold).sha256());
        }
        assertThat(rows(jdbc, "SELECT count(*) FROM pins")).as("pin rows").isGreaterThanOrEqualTo(pins);
        assertThat(rows(jdbc, "SELECT count(*) FROM blobs")).as("blob rows").isGreaterThan(blobs);
        assertNothingPartial(jdbc, bucket, stored.values(), true);
      }
    }
  }

  /** As apt update does: T1's root index, then the listing that names the packages. */
  private void indexes(String base) throws Exception {
    for (String index : List.of(ROOT, "dists/stable/main/binary-amd64/Packages")) {
      HttpResponse<String> r = text(base + "/fix/" + AT_T1 + "/" + index);
      assertThat(r.statusCode()).as(index + ": " + r.body()).isEqualTo(200);
    }
  }

  private static long upstreamGets(StaticServer upstream, String poolPath) {
    return upstream.requestsEndingWith("/" + poolPath).stream().filter(r -> r.method().equals("GET")).count();
  }

  /** A response that started and then broke off (its body short of its length). */
  private static final int CUT = -1;

  /**
   * A client through the balancer, one request after another until stopped: how often each status
   * came, the non-200 answers, and a check that every 200 carried the right bytes.
   */
  private final class Traffic implements Runnable {
    final Map<Integer, Integer> answers = new java.util.concurrent.ConcurrentHashMap<>();
    final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> wrong = new java.util.concurrent.CopyOnWriteArrayList<>();
    final AtomicBoolean stop = new AtomicBoolean();
    private final String base;
    private final List<String> paths;
    private final Map<String, String> sums;

    Traffic(String base, List<String> paths, Map<String, String> sums) {
      this.base = base;
      this.paths = paths;
      this.sums = sums;
    }

    @Override
    public void run() {
      for (int i = 0; !stop.get(); i++) {
        // Every few requests a root at a T nobody asked before: it needs a pin decided (PostgreSQL).
        String path = i % (paths.size() + 1) == paths.size()
            ? "/fix/@" + (NEW_T.getEpochSecond() + 86_400 + 60L * i) + "/" + ROOT
            : paths.get(i % (paths.size() + 1));
        try {
          var request = java.net.http.HttpRequest.newBuilder(URI.create(base + path.substring(1)))
              .timeout(Duration.ofSeconds(60)).build();
          HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
          answers.merge(r.statusCode(), 1, Integer::sum);
          if (r.statusCode() != 200) {
            failures.add(r.statusCode() + " " + path + ": " + new String(r.body()));
          } else if (sums.containsKey(path) && !Digest.compute(r.body()).hex().equals(sums.get(path))) {
            wrong.add(path);
          }
        } catch (IOException e) {
          answers.merge(CUT, 1, Integer::sum);
          failures.add("cut: " + path + ": " + e);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /**
   * The bucket holds only whole, verified blobs: every object is under its content's key and
   * hashes to it; every catalogue row has its object; {@code expected} are all there.
   */
  private void assertNothingPartial(String jdbc, String bucket, Iterable<String> expected, boolean uncatalogued)
      throws Exception {
    Set<String> rows = new HashSet<>();
    try (Connection c = DriverManager.getConnection(jdbc, store.postgres().user(), "");
        PreparedStatement ps = c.prepareStatement("SELECT digest FROM blobs");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        rows.add(HexFormat.of().formatHex(rs.getBytes(1)));
      }
    }
    Set<String> objects = new HashSet<>();
    try (S3Client client = S3Client.builder().httpClient(UrlConnectionHttpClient.builder().build())
        .region(Region.US_EAST_1).forcePathStyle(true).endpointOverride(URI.create(store.s3().endpoint()))
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
        .build()) {
      for (S3Object o : client.listObjectsV2Paginator(r -> r.bucket(bucket)).contents()) {
        assertThat(o.key()).as("object key").matches("blobs/sha256/[0-9a-f]{2}/[0-9a-f]{64}");
        String hex = o.key().substring(o.key().lastIndexOf('/') + 1);
        assertThat(o.key()).startsWith("blobs/sha256/" + hex.substring(0, 2) + "/");
        try (InputStream in = client.getObject(r -> r.bucket(bucket).key(o.key()))) {
          assertThat(sha256(in)).as("object %s hashes to its key", o.key()).isEqualTo(hex);
        }
        objects.add(hex);
      }
    }
    // Every row has its whole object. An object without a row is whole too (checked above) and
    // invisible: a commit whose row insert failed after the upload (the database went away).
    assertThat(objects).as("objects in bucket %s", bucket).containsAll(rows);
    if (!uncatalogued) {
      assertThat(objects).as("objects in bucket %s", bucket).isEqualTo(rows);
    }
    assertThat(rows).containsAll(expected);
  }

  /** {@code perReplica} downloads from {@code first}, each retried through {@code retry} after a failure. */
  private List<Future<String>> retrying(ExecutorService pool, int clients, String first, String retry) {
    List<Future<String>> out = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      out.add(pool.submit(() -> {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        String url = first;
        List<String> errors = new ArrayList<>();
        while (System.nanoTime() < deadline) {
          try {
            return get(url);
          } catch (IOException | AssertionError e) {
            errors.add(url + ": " + e);
            url = retry; // as apt and dnf do: again, and the balancer picks a live replica
          }
        }
        throw new AssertionError("no complete download of " + first + ": " + errors);
      }));
    }
    return out;
  }

  private Set<String> concurrentRoots(List<ReproxProcess> replicas, int perReplica) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(replicas.size() * perReplica);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
      for (ReproxProcess r : replicas) {
        for (int i = 0; i < perReplica; i++) {
          var request = java.net.http.HttpRequest.newBuilder(URI.create(r.base() + "/fix/" + AT_NEW_T + "/" + ROOT))
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

  /**
   * {@code perReplica} clients on each base GET {@code path} at once; the SHA-256 of each body,
   * hashed as it streams in (64 bodies of 50 MiB are not held in memory).
   */
  private List<String> concurrentGets(List<String> bases, int perReplica, String path) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(bases.size() * perReplica);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> answers = new ArrayList<>();
      for (String base : bases) {
        for (int i = 0; i < perReplica; i++) {
          answers.add(pool.submit(() -> {
            go.await();
            return get(base + path);
          }));
        }
      }
      go.countDown();
      List<String> digests = new ArrayList<>();
      for (Future<String> f : answers) {
        digests.add(f.get(300, TimeUnit.SECONDS));
      }
      return digests;
    } finally {
      pool.shutdownNow();
    }
  }

  /** GET {@code url}, 200 required; the SHA-256 of the body, streamed. */
  private String get(String url) throws IOException, InterruptedException {
    var request = java.net.http.HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120)).build();
    HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = r.body()) {
      if (r.statusCode() != 200) {
        throw new AssertionError("GET " + url + ": " + r.statusCode() + " " + new String(in.readAllBytes()));
      }
      return sha256(in);
    }
  }

  private HttpResponse<String> text(String url) throws IOException, InterruptedException {
    var request = java.net.http.HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private String generationAt(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = text(url);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.headers().firstValue("X-Reprox-Generation").orElse("none");
  }

  /** A condition that becomes true on its own: polled every 100 ms for up to 90 s. */
  @FunctionalInterface
  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void pollUntil(String what, Condition condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.holds()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(100); // polling a condition with a deadline
    }
    throw new AssertionError("timed out waiting until " + what, last);
  }

  private static long rows(String jdbc, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbc, store.postgres().user(), "");
        PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private long pinRowsCovering(String jdbc, Instant t) throws Exception {
    BigDecimal ns = BigDecimal.valueOf(t.getEpochSecond()).multiply(BigDecimal.valueOf(1_000_000_000L));
    try (Connection c = DriverManager.getConnection(jdbc, store.postgres().user(), "");
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

  /** dnf keeping the packages it downloaded, so that their bytes can be compared. */
  private DnfClient dnf(String name, URI baseurl, Path key) {
    return DnfClient.builder(tmp.resolve("dnf-" + name)).repo("fixture", baseurl).gpgKey(key)
        .setopt("keepcache", "True").timeout(Duration.ofSeconds(120)).build();
  }

  /** The .rpm files dnf kept in {@code cache}, by file name. */
  private static Map<String, byte[]> rpmFiles(Path cache) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(cache)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".rpm")).toList()) {
        out.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  private static String sha256(Path file) throws IOException {
    return Digest.compute(Files.readAllBytes(file)).hex();
  }

  private static String sha256(InputStream in) throws IOException {
    MessageDigest sha = Digest.newHasher();
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) > 0; ) {
      sha.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
