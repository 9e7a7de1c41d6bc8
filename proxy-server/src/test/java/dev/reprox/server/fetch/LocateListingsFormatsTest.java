package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import dev.reprox.testkit.apk.ApkGeneration;
import dev.reprox.testkit.apk.ApkKey;
import dev.reprox.testkit.apk.ApkRepoBuilder;
import dev.reprox.testkit.dnf.DnfGeneration;
import dev.reprox.testkit.dnf.DnfRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 10's gap for dnf and apk (apt: {@link LocateListingsTest}): with only repomd.xml recorded
 * a package at T fetches the {@code primary} repomd names; with nothing recorded an .apk at T
 * fetches the APKINDEX of its directory. Either way the package is served verified and pinned.
 */
class LocateListingsFormatsTest {
  private static final Instant DATE = Instant.parse("2024-03-01T00:00:00Z");
  private static final Instant T = DATE.plusSeconds(1800);

  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(DATE.plusSeconds(3600));
  private final Storage storage = MemoryStorage.builder().clock(clock).build();
  private final ExecutorService storageThreads = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    storageThreads.shutdownNow();
  }

  /** Also for a repomd.xml naming primary by sha512 or sha1 only (createrepo_c --repomd-checksum). */
  @ParameterizedTest
  @ValueSource(strings = {"sha256", "sha512", "sha1"})
  void dnf_atT_onlyRepomdStored_primaryFetched_rpmVerifiedAndPinned(String repomdChecksum) throws Exception {
    try (DnfRepoBuilder builder = DnfRepoBuilder.in(tmp.resolve("dnf")).date(DATE).repomdChecksum(repomdChecksum)
        .add("foo", "1.0")) {
      DnfGeneration g = builder.publish();
      Path key = builder.writePublicKey(tmp.resolve("RPM-GPG-KEY"));
      try (StaticServer upstream = StaticServer.serve(builder.root()); Fetchers f = fetchers(config(upstream,
          RepositoryConfig.Format.DNF, new Keyring.File(key)))) {
        RepositoryConfig repo = config(upstream, RepositoryConfig.Format.DNF, new Keyring.File(key));
        Bodies.readAll(f.fetcher().fetch(new FetchRequest(repo, DnfGeneration.REPOMD)).get(20, TimeUnit.SECONDS));
        upstream.clearRequests();
        DnfGeneration.BuiltRpm foo = g.rpm("foo");

        Fetched rpm = f.fetcher().fetch(new FetchRequest(repo, foo.path(), Optional.of(T), null, null))
            .get(20, TimeUnit.SECONDS);

        assertThat(Bodies.readAll(rpm)).isEqualTo(Files.readAllBytes(g.resolve(foo.path())));
        rpm.settled().get(20, TimeUnit.SECONDS);
        assertThat(rpm.digest()).hasValue(Digest.sha256(foo.sha256()));
        assertThat(rpm.provenance().pin()).as("X-Reprox-Pin").isPresent();
        assertThat(upstream.requestsEndingWith("-primary.xml.gz")).as("primary, once").hasSize(1);
        String primary = primaryOf(g);
        assertThat(storage.blobs().stat(Digest.sha256(g.file(primary).sha256()))).as("primary stored").isPresent();
        assertThat(storage.paths().isIndexed("fix", Digest.sha256(g.file(primary).sha256()))).as("primary indexed")
            .isTrue();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sha256", "sha512", "sha1"})
  void dnf_atT_tamperedPrimary_integrityError_nothingStored(String repomdChecksum) throws Exception {
    try (DnfRepoBuilder builder = DnfRepoBuilder.in(tmp.resolve("dnf")).date(DATE).repomdChecksum(repomdChecksum)
        .add("foo", "1.0")) {
      DnfGeneration g = builder.publish();
      Path key = builder.writePublicKey(tmp.resolve("RPM-GPG-KEY"));
      String primary = primaryOf(g);
      try (StaticServer upstream = StaticServer.serve(builder.root()); Fetchers f = fetchers(config(upstream,
          RepositoryConfig.Format.DNF, new Keyring.File(key)))) {
        RepositoryConfig repo = config(upstream, RepositoryConfig.Format.DNF, new Keyring.File(key));
        Bodies.readAll(f.fetcher().fetch(new FetchRequest(repo, DnfGeneration.REPOMD)).get(20, TimeUnit.SECONDS));
        builder.tamper(primary);
        FetchRequest request = new FetchRequest(repo, g.rpm("foo").path(), Optional.of(T), null, null);

        CompletableFuture<Fetched> rpm = f.fetcher().fetch(request);
        FetchException e = FetchException.of(catchThrowable(() -> rpm.get(20, TimeUnit.SECONDS)), request);

        assertThat(e.kind()).as(e.getMessage()).isEqualTo(FetchException.Kind.INTEGRITY);
        assertThat(storage.blobs().stat(Digest.sha256(g.file(primary).sha256()))).isEmpty();
        assertThat(storage.paths().lookup("fix", g.rpm("foo").path())).isEmpty();
        assertThat(upstream.requestsEndingWith("-primary.xml.gz")).as("the tampered primary was asked for").isNotEmpty();
      }
    }
  }

  private static String primaryOf(DnfGeneration g) {
    return g.files().keySet().stream().filter(p -> p.endsWith("-primary.xml.gz")).findFirst().orElseThrow();
  }

  @Test
  void apk_atT_nothingStored_apkindexOfItsDirectoryFetched_apkVerifiedAndPinned() throws Exception {
    ApkRepoBuilder builder = ApkRepoBuilder.in(tmp.resolve("apk")).key(ApkKey.generate("t.rsa.pub")).date(DATE)
        .add("foo", "1.0-r0");
    Path keys = Files.createDirectories(tmp.resolve("keys"));
    builder.writePublicKey(keys);
    ApkGeneration g = builder.publish();
    try (StaticServer upstream = StaticServer.serve(builder.root()); Fetchers f = fetchers(config(upstream,
        RepositoryConfig.Format.APK, new Keyring.File(keys)))) {
      RepositoryConfig repo = config(upstream, RepositoryConfig.Format.APK, new Keyring.File(keys));
      ApkGeneration.BuiltApk foo = g.apk("foo");

      Fetched apk = f.fetcher().fetch(new FetchRequest(repo, foo.path(), Optional.of(T), null, null))
          .get(20, TimeUnit.SECONDS);

      assertThat(Bodies.readAll(apk)).isEqualTo(Files.readAllBytes(g.resolve(foo.path())));
      apk.settled().get(20, TimeUnit.SECONDS);
      assertThat(apk.digest()).hasValue(Digest.sha256(foo.sha256()));
      assertThat(apk.provenance().pin()).as("X-Reprox-Pin").isPresent();
      assertThat(upstream.requestsFor("/" + g.index())).as("the APKINDEX beside it, once").hasSize(1);
    }
  }

  @Test
  void apk_atT_nothingStored_tamperedApk_cut_notStored() throws Exception {
    ApkRepoBuilder builder = ApkRepoBuilder.in(tmp.resolve("apk")).key(ApkKey.generate("t.rsa.pub")).date(DATE)
        .add("foo", "1.0-r0");
    Path keys = Files.createDirectories(tmp.resolve("keys"));
    builder.writePublicKey(keys);
    ApkGeneration g = builder.publish();
    builder.tamperApk("foo");
    try (StaticServer upstream = StaticServer.serve(builder.root()); Fetchers f = fetchers(config(upstream,
        RepositoryConfig.Format.APK, new Keyring.File(keys)))) {
      RepositoryConfig repo = config(upstream, RepositoryConfig.Format.APK, new Keyring.File(keys));

      Fetched apk = f.fetcher().fetch(new FetchRequest(repo, g.apk("foo").path(), Optional.of(T), null, null))
          .get(20, TimeUnit.SECONDS);

      assertThat(catchThrowable(() -> Bodies.readAll(apk))).isNotNull();
      apk.settled().get(20, TimeUnit.SECONDS);
      assertThat(apk.digest()).isEmpty();
      assertThat(storage.blobs().stat(Digest.sha256(g.apk("foo").sha256()))).isEmpty();
    }
  }

  private Fetchers fetchers(RepositoryConfig repo) {
    return Fetchers.builder().storage(storage).storageExecutor(storageThreads).clock(clock)
        .headerTimeout(Duration.ofSeconds(5)).repositories(List.of(repo)).build();
  }

  private static RepositoryConfig config(StaticServer upstream, RepositoryConfig.Format format, Keyring keyring) {
    return new RepositoryConfig("fix", format, URI.create(upstream.baseUri().toString().replaceAll("/$", "")),
        Optional.empty(), keyring, RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false);
  }
}
