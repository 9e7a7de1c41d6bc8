package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import dev.reprox.testkit.apk.ApkGeneration;
import dev.reprox.testkit.apk.ApkKey;
import dev.reprox.testkit.apk.ApkRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An .apk whose data part was changed (same size, control member and so Q1 untouched) is cut,
 * counted, never stored nor aliased, and the genuine bytes are fetched on the next request.
 */
class ApkDataTamperTest {
  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(Instant.parse("2024-03-01T01:00:00Z"));
  private final Storage storage = MemoryStorage.builder().clock(clock).build();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void package_dataPartTampered_cutCountedNotStored_genuineServedNext() throws Exception {
    ApkRepoBuilder repo = ApkRepoBuilder.in(tmp.resolve("upstream")).key(ApkKey.generate("t.rsa.pub"))
        .date(Instant.parse("2024-03-01T00:00:00Z")).add("foo", "1.0-r0");
    Path keys = Files.createDirectories(tmp.resolve("keys"));
    repo.writePublicKey(keys);
    ApkGeneration g = repo.publish();
    ApkGeneration.BuiltApk foo = g.apk("foo");
    Path file = g.resolve(foo.path());
    byte[] genuine = Files.readAllBytes(file);
    byte[] tampered = genuine.clone();
    tampered[(int) ((foo.controlEnd() + genuine.length) / 2)] ^= 0x01; // data member only
    Files.write(file, tampered);
    Alias q1 = new Alias(Alias.Kind.APK_Q1, Base64.getDecoder().decode(foo.q1().substring(2)));

    try (StaticServer upstream = StaticServer.serve(repo.root());
        Fetchers f = Fetchers.builder().storage(storage).storageExecutor(Runnable::run).clock(clock)
            .headerTimeout(Duration.ofSeconds(5)).registry(registry).repositories(List.of(repo(upstream, keys))).build()) {
      RepositoryConfig r = repo(upstream, keys);
      Bodies.readAll(f.fetcher().fetch(new FetchRequest(r, g.index())).get(20, TimeUnit.SECONDS)); // as apk does: index first
      FetchRequest request = new FetchRequest(r, foo.path());

      Fetched first = f.fetcher().fetch(request).get(20, TimeUnit.SECONDS);
      Throwable cut = catchThrowable(() -> Bodies.readAll(first));
      assertThat(cut).as("the client must not receive a complete tampered body").isNotNull()
          .hasStackTraceContaining("write cancelled");
      // The checking writer cuts the tails as it refuses the commit; the fill counts the failure and
      // then settles, so wait for that rather than racing the counter.
      first.settled().get(20, TimeUnit.SECONDS);
      assertThat(storage.blobs().stat(Digest.compute(tampered))).isEmpty();
      assertThat(storage.aliases().resolve(q1)).isEmpty();
      assertThat(registry.get("reprox.integrity.failures").tag("repo", "fix").counter().count()).isEqualTo(1.0);

      Files.write(file, genuine); // the upstream serves the right bytes again
      Fetched again = f.fetcher().fetch(request).get(20, TimeUnit.SECONDS);
      assertThat(Bodies.readAll(again)).isEqualTo(genuine);
      again.settled().get(20, TimeUnit.SECONDS); // the alias is written at the commit, just after the last byte
      assertThat(upstream.requestsFor("/" + foo.path())).hasSize(2);
      assertThat(storage.aliases().resolve(q1)).contains(Digest.compute(genuine));
    }
  }

  private static RepositoryConfig repo(StaticServer upstream, Path keys) {
    return new RepositoryConfig("fix", RepositoryConfig.Format.APK,
        URI.create(upstream.baseUri().toString().replaceAll("/$", "")), Optional.empty(), new Keyring.File(keys),
        RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false);
  }

}
