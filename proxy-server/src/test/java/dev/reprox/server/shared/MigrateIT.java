package dev.reprox.server.shared;

import static dev.reprox.server.shared.SharedStoreFixture.apt;
import static dev.reprox.server.shared.SharedStoreFixture.repositories;
import static dev.reprox.server.shared.SharedStoreFixture.serve;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.server.testing.ReproxProcess;
import dev.reprox.storage.Digest;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reprox migrate --from-data}: a single-node store filled by a real apt-get replay is copied
 * into PostgreSQL + S3Proxy; a reprox on the shared store then serves apt-get the same bytes at T
 * with the upstream gone, and a second run copies nothing.
 */
class MigrateIT {
  private static final Instant T1 = Instant.parse("2024-03-01T00:00:00Z");
  private static final String AT_T1 = "@20240301T010000Z";
  private static final String ROOT = "dists/stable/InRelease";

  @RegisterExtension
  static final SharedStoreFixture store = new SharedStoreFixture();

  @TempDir
  Path tmp;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Test
  void migrate_replayedStore_sharedReplicaServesSameBytesWithoutUpstream_andRerunCopiesNothing() throws Exception {
    AptRepoBuilder repo = AptRepoBuilder.in(tmp.resolve("repo")).date(T1).acquireByHash(true).add("foo", "1.0")
        .add("bar", "2.1");
    AptGeneration g1 = repo.publish();
    Path keyring = repo.writeKeyring(tmp.resolve("fix.gpg"));
    Path jar = ReproxProcess.privateJar(tmp.resolve("reprox.jar"));
    Path singleData = tmp.resolve("data-single");
    List<Path> before;
    byte[] rootBefore;
    String generationBefore;
    Path shared;
    Path migrating;
    try (StaticServer upstream = StaticServer.serve(repo.root())) {
      String repos = repositories(upstream.baseUri(), keyring);
      Path single = Files.writeString(tmp.resolve("single.yaml"), repos);
      String jdbc = store.postgres().newDatabase();
      // The replica's local cache is its own (in its data directory): what it serves comes from S3.
      shared = Files.writeString(tmp.resolve("shared.yaml"), repos + store.storage(jdbc, "reprox-migrate", "", ""));
      migrating = Files.writeString(tmp.resolve("migrate.yaml"),
          repos + store.storage(jdbc, "reprox-migrate", "path: \"" + tmp.resolve("migrate-cache") + "\", ", ""));
      try (ReproxProcess one = serve(tmp, jar, "single", single)) {
        before = apt(tmp, "single", URI.create(one.base() + "/fix/" + AT_T1 + "/"), keyring).downloadOnly("foo", "bar");
        HttpResponse<byte[]> root = get(one, "/fix/" + AT_T1 + "/" + ROOT);
        rootBefore = root.body();
        generationBefore = root.headers().firstValue("X-Reprox-Generation").orElseThrow();
      }
    }
    assertThat(before).hasSize(2);

    Run first = migrate(jar, singleData, migrating, "first");
    System.out.println(first.output); // the progress lines and summary, in the failsafe report
    assertThat(first.exit).as(first.output).isZero();
    assertThat(first.output).contains("migrate: from the store in " + singleData)
        .containsPattern("migrate: blobs: +\\d+ read +[1-9]\\d* copied")
        .containsPattern("migrate: pins: +[1-9]\\d* read +[1-9]\\d* copied")
        .contains("migrate: done:");

    // The upstream is gone: everything the replica answers comes from PostgreSQL and S3.
    try (ReproxProcess replica = serve(tmp, jar, "replica", shared)) {
      HttpResponse<byte[]> root = get(replica, "/fix/" + AT_T1 + "/" + ROOT);
      assertThat(root.statusCode()).isEqualTo(200);
      assertThat(root.body()).isEqualTo(rootBefore);
      assertThat(root.headers().firstValue("X-Reprox-Generation")).contains(generationBefore);
      List<Path> after = apt(tmp, "replica", URI.create(replica.base() + "/fix/" + AT_T1 + "/"), keyring)
          .downloadOnly("foo", "bar");
      assertThat(after).hasSize(2);
      for (int i = 0; i < 2; i++) {
        assertThat(after.get(i).getFileName()).isEqualTo(before.get(i).getFileName());
        assertThat(Files.readAllBytes(after.get(i))).isEqualTo(Files.readAllBytes(before.get(i)));
      }
      assertThat(Digest.compute(Files.readAllBytes(after.get(1))).hex()).isEqualTo(g1.deb("foo").sha256());
    }

    Run again = migrate(jar, singleData, migrating, "again");
    assertThat(again.exit).as(again.output).isZero();
    assertThat(again.output).contains("migrate: done: 0 records copied");
  }

  private record Run(int exit, String output) {}

  private Run migrate(Path jar, Path from, Path config, String name) throws Exception {
    Path log = tmp.resolve("migrate-" + name + ".log");
    Process p = ReproxProcess.command(jar, ReproxProcess.PARANOID, log, "migrate", "--from-data", from.toString(),
        "--config", config.toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("migrate finishes").isTrue();
    return new Run(p.exitValue(), out + Files.readString(log));
  }

  private HttpResponse<byte[]> get(ReproxProcess r, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(r.base() + path)).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }
}
