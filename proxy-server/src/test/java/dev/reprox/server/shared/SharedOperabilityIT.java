package dev.reprox.server.shared;

import static dev.reprox.server.shared.SharedStoreFixture.repositories;
import static dev.reprox.server.shared.SharedStoreFixture.serve;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.testing.ReproxProcess;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.shared.SharedStorage;
import dev.reprox.testkit.shared.PostgresServer;
import dev.reprox.testkit.shared.S3ProxyServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One {@code reprox serve} on a shared store whose PostgreSQL, then S3 server, goes away and comes
 * back: {@code /readyz} answers 503 naming the component while it is down and 200 once it is back,
 * and the builds and admin APIs answer 503 {@code storage_unavailable} while PostgreSQL is down.
 * {@code reprox verify --config} re-reads a shared store's objects from the bucket.
 */
class SharedOperabilityIT {
  private static final String ADMIN = "admin-0123456789abcdef";

  @RegisterExtension
  static final SharedStoreFixture store = new SharedStoreFixture();

  @TempDir
  Path tmp;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Test
  void verify_sharedStore_cleanThenNamesTheObjectDamagedInTheBucket() throws Exception {
    String jdbc = store.postgres().newDatabase();
    String bucket = "reprox-verify";
    Path config = config(jdbc, bucket, "");
    byte[] data = "a blob that reprox verify re-reads from the bucket\n".repeat(2000).getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.compute(data);
    try (SharedStorage shared = SharedStorage.builder().postgres(jdbc, store.postgres().user(), "")
        .s3(URI.create(store.s3().endpoint()), bucket, "us-east-1", true, S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)
        .localCache(tmp.resolve("cache"), 64L << 20).build();
        BlobWriter w = shared.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(data));
      w.commit(digest, data.length);
    }
    Path jar = ReproxProcess.privateJar(tmp.resolve("reprox.jar"));

    ReproxProcess.Verify clean = verify(jar, config);
    assertThat(clean.exit()).as(clean.output()).isZero();
    assertThat(clean.output()).contains("verify: 1 blobs, " + data.length + " bytes checked, 0 damaged");

    try (S3Client client = S3Client.builder().httpClient(UrlConnectionHttpClient.builder().build())
        .region(Region.US_EAST_1).forcePathStyle(true).endpointOverride(URI.create(store.s3().endpoint()))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
        .build()) {
      client.putObject(b -> b.bucket(bucket).key("blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex()),
          RequestBody.fromString("damaged"));
    }
    ReproxProcess.Verify damaged = verify(jar, config);
    assertThat(damaged.exit()).as(damaged.output()).isEqualTo(1);
    assertThat(damaged.output()).contains("damaged " + digest + ": ").contains("1 damaged");
  }

  /** {@code reprox verify --config FILE}: exit code and stdout. */
  private ReproxProcess.Verify verify(Path jar, Path config) throws Exception {
    Path log = tmp.resolve("verify.log");
    Process p = ReproxProcess.command(jar, List.of(), log, "verify", "--config", config.toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("verify finishes").isTrue();
    return new ReproxProcess.Verify(p.exitValue(), out + Files.readString(log));
  }

  /** A repository nothing is fetched from and the shared store on {@code jdbc} and {@code bucket}. */
  private Path config(String jdbc, String bucket, String more) throws Exception {
    return Files.writeString(tmp.resolve(bucket + ".yaml"), repositories(URI.create("http://127.0.0.1:1/debian"),
        Path.of("none")) + more + store.storage(jdbc, bucket, "", ""));
  }

  @Test
  void postgresThenS3Down_readyz503NamingIt_apis503StorageUnavailable_readyAgainWhenBack() throws Exception {
    PostgresServer postgres = store.postgres();
    S3ProxyServer s3 = store.s3();
    Files.writeString(tmp.resolve("admin.token"), ADMIN);
    Path config = config(postgres.newDatabase(), "reprox-ready",
        "api:\n  admin-token-file: " + tmp.resolve("admin.token") + "\n");
    try (ReproxProcess r = serve(tmp, ReproxProcess.privateJar(tmp.resolve("reprox.jar")), "a", config)) {
      assertThat(send(r, "GET", "/readyz").statusCode()).isEqualTo(200);
      assertThat(send(r, "GET", "/-/api/builds").statusCode()).isEqualTo(200);

      postgres.stop();
      try {
        HttpResponse<String> down = pollUntil("readyz says PostgreSQL is down", () -> send(r, "GET", "/readyz"),
            x -> x.statusCode() == 503);
        assertThat(down.body()).startsWith("not ready: storage: ").contains("database (PostgreSQL) unavailable");
        assertThat(send(r, "GET", "/healthz").statusCode()).isEqualTo(200);
        for (String[] call : new String[][] {{"GET", "/-/api/builds"}, {"DELETE", "/-/api/admin/builds/ci-1"},
            {"GET", "/-/api/admin/export?label=ci-1"}}) {
          HttpResponse<String> api = send(r, call[0], call[1]);
          assertThat(api.statusCode()).as(call[1] + ": " + api.body()).isEqualTo(503);
          assertThat(api.body()).as(call[1]).contains("\"reason\":\"storage_unavailable\"")
              .contains("database (PostgreSQL) unavailable");
        }
      } finally {
        postgres.restart();
      }
      pollUntil("ready after PostgreSQL is back", () -> send(r, "GET", "/readyz"), x -> x.statusCode() == 200);
      assertThat(send(r, "GET", "/-/api/builds").statusCode()).isEqualTo(200);

      s3.kill();
      try {
        HttpResponse<String> down = pollUntil("readyz says S3 is down", () -> send(r, "GET", "/readyz"),
            x -> x.statusCode() == 503);
        assertThat(down.body()).startsWith("not ready: storage: ").contains("object store (S3) unavailable")
            .doesNotContain("PostgreSQL");
      } finally {
        s3.restart();
      }
      pollUntil("ready after S3 is back", () -> send(r, "GET", "/readyz"), x -> x.statusCode() == 200);
    }
  }

  private HttpResponse<String> send(ReproxProcess r, String method, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(r.base() + path)).method(method,
        HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer " + ADMIN)
        .timeout(Duration.ofSeconds(30)).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @FunctionalInterface
  private interface Call {
    HttpResponse<String> send() throws Exception;
  }

  /** Sends {@code call} every 100 ms for up to 60 s until its answer passes {@code until}; that answer. */
  private static HttpResponse<String> pollUntil(String what, Call call,
      java.util.function.Predicate<HttpResponse<String>> until) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    HttpResponse<String> last = null;
    while (System.nanoTime() < deadline) {
      last = call.send();
      if (until.test(last)) {
        return last;
      }
      Thread.sleep(100); // polling a condition with a deadline
    }
    throw new AssertionError("timed out waiting until " + what + "; last answer " + (last == null ? "none"
        : last.statusCode() + " " + last.body()));
  }
}
