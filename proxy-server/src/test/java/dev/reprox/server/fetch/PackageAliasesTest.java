package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.config.Keyring;
import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.Alias;
import dev.reprox.storage.DigestMismatchException;
import dev.reprox.storage.Digest;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import dev.reprox.testkit.apt.AptGeneration;
import dev.reprox.testkit.apt.AptRepoBuilder;
import dev.reprox.testkit.http.StaticServer;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A package stored after its SHA-256 check can be found by the other hashes of the same bytes that
 * a request can address it by (and is not hashed again for those nothing asks for).
 */
class PackageAliasesTest {
  /** Never contacted: live requests have no fallback; it only makes /file/<sha1> addressable. */
  private static final URI SNAPSHOT = URI.create("http://snapshot.invalid/archive/fix/");

  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final Storage storage = MemoryStorage.builder().clock(clock).build();

  @Test
  void writer_sha256Matches_recordsEachKindComputedFromTheBytes() throws Exception {
    byte[] body = "a .deb stand-in, long enough to come in pieces".repeat(100).getBytes();
    AliasRecordingWriter w = new AliasRecordingWriter(storage.blobs().newWriter(), storage.aliases(),
        EnumSet.of(Alias.Kind.SHA1, Alias.Kind.MD5, Alias.Kind.SHA512), "t");
    feed(w, body);
    assertThat(storage.aliases().resolve(alias(Alias.Kind.SHA1, "SHA-1", body))).as("nothing before the commit").isEmpty();

    Digest stored = w.commit(Digest.compute(body), body.length).digest();

    assertThat(storage.aliases().resolve(alias(Alias.Kind.SHA1, "SHA-1", body))).contains(stored);
    assertThat(storage.aliases().resolve(alias(Alias.Kind.MD5, "MD5", body))).contains(stored);
    assertThat(storage.aliases().resolve(alias(Alias.Kind.SHA512, "SHA-512", body))).contains(stored);
  }

  @Test
  void writer_sha256Mismatch_noAliasRecordedNothingStored() throws Exception {
    byte[] expected = "the bytes the listing names".getBytes();
    byte[] other = "other bytes off the wire!!!".getBytes();
    AliasRecordingWriter w = new AliasRecordingWriter(storage.blobs().newWriter(), storage.aliases(),
        EnumSet.of(Alias.Kind.SHA1, Alias.Kind.MD5), "t");
    feed(w, other);

    assertThatThrownBy(() -> w.commit(Digest.compute(expected), other.length)).isInstanceOf(DigestMismatchException.class);
    assertThat(storage.aliases().resolve(alias(Alias.Kind.SHA1, "SHA-1", other))).isEmpty();
    assertThat(storage.aliases().resolve(alias(Alias.Kind.MD5, "MD5", other))).isEmpty();
    assertThat(storage.blobs().stat(Digest.compute(other))).isEmpty();
  }

  @Test
  void writer_noExpectedSha256_recordsNothing() throws Exception {
    byte[] body = "unchecked".getBytes();
    AliasRecordingWriter w = new AliasRecordingWriter(storage.blobs().newWriter(), storage.aliases(),
        EnumSet.of(Alias.Kind.SHA1), "t");
    feed(w, body);
    w.commit(null, body.length);
    assertThat(storage.aliases().resolve(alias(Alias.Kind.SHA1, "SHA-1", body))).isEmpty();
  }

  @Test
  void deb_storedThroughItsListing_snapshotServer_foundByItsSha1Only() throws Exception {
    byte[] deb = fetchFoo(Optional.of(SNAPSHOT));

    Digest sha256 = Digest.compute(deb);
    assertThat(storage.aliases().resolve(alias(Alias.Kind.SHA1, "SHA-1", deb)))
        .as("the snapshot server's /file/<sha1> is answered by it").contains(sha256);
    assertThat(storage.aliases().resolve(alias(Alias.Kind.MD5, "MD5", deb)))
        .as("the MD5 its Packages names: nothing asks for a .deb by it, so it is not computed").isEmpty();
  }

  @Test
  void deb_storedThroughItsListing_noSnapshotServer_noAliasComputed() throws Exception {
    byte[] deb = fetchFoo(Optional.empty());

    assertThat(storage.blobs().stat(Digest.compute(deb))).isPresent();
    assertThat(storage.aliases().resolve(alias(Alias.Kind.SHA1, "SHA-1", deb))).isEmpty();
    assertThat(storage.aliases().resolve(alias(Alias.Kind.MD5, "MD5", deb))).isEmpty();
  }

  /** foo's .deb, fetched through its root and Packages.gz from a fresh upstream; its bytes. */
  private byte[] fetchFoo(Optional<URI> snapshot) throws Exception {
    AptRepoBuilder builder = AptRepoBuilder.in(tmp.resolve("repo")).date(Instant.parse("2024-03-01T00:00:00Z"))
        .add("foo", "1.0");
    AptGeneration g1 = builder.publish();
    Path keyring = builder.writeKeyring(tmp.resolve("fix.gpg"));
    try (StaticServer upstream = StaticServer.serve(builder.root());
        Fetchers f = fetchers(repo(upstream, keyring, snapshot))) {
      RepositoryConfig r = repo(upstream, keyring, snapshot);
      String pool = g1.deb("foo").poolPath();
      fetchAll(f, r, List.of("dists/stable/InRelease", "dists/stable/main/binary-amd64/Packages.gz", pool));
      return Files.readAllBytes(g1.resolve(pool));
    }
  }

  @Test
  void deb_tamperedUpstream_cutAndNoAliasForEitherBody() throws Exception {
    AptRepoBuilder builder = AptRepoBuilder.in(tmp.resolve("repo")).date(Instant.parse("2024-03-01T00:00:00Z"))
        .add("foo", "1.0");
    AptGeneration g1 = builder.publish();
    String pool = g1.deb("foo").poolPath();
    byte[] good = Files.readAllBytes(g1.resolve(pool));
    builder.tamperDeb("foo");
    byte[] bad = Files.readAllBytes(g1.resolve(pool));
    assertThat(bad).isNotEqualTo(good);
    Path keyring = builder.writeKeyring(tmp.resolve("fix.gpg"));
    try (StaticServer upstream = StaticServer.serve(builder.root());
        Fetchers f = fetchers(repo(upstream, keyring, Optional.of(SNAPSHOT)))) {
      RepositoryConfig r = repo(upstream, keyring, Optional.of(SNAPSHOT));
      fetchAll(f, r, List.of("dists/stable/InRelease", "dists/stable/main/binary-amd64/Packages.gz"));
      Fetched pkg = f.fetcher().fetch(new FetchRequest(r, pool)).get(10, TimeUnit.SECONDS);
      pkg.settled().get(10, TimeUnit.SECONDS);

      assertThat(pkg.digest()).as("not stored").isEmpty();
      assertThat(storage.aliases().resolve(alias(Alias.Kind.SHA1, "SHA-1", bad))).isEmpty();
      assertThat(storage.aliases().resolve(alias(Alias.Kind.SHA1, "SHA-1", good))).isEmpty();
      assertThat(storage.aliases().resolve(alias(Alias.Kind.MD5, "MD5", bad))).isEmpty();
    }
  }

  private void fetchAll(Fetchers f, RepositoryConfig r, List<String> paths) throws Exception {
    for (String path : paths) {
      Fetched fetched = f.fetcher().fetch(new FetchRequest(r, path)).get(10, TimeUnit.SECONDS);
      fetched.settled().get(10, TimeUnit.SECONDS);
      assertThat(fetched.digest()).as(path).isPresent();
    }
  }

  private Fetchers fetchers(RepositoryConfig r) {
    return Fetchers.builder().storage(storage).storageExecutor(Runnable::run).clock(clock)
        .headerTimeout(Duration.ofSeconds(5)).repositories(List.of(r)).build();
  }

  private static RepositoryConfig repo(StaticServer upstream, Path keyring, Optional<URI> snapshot) {
    return new RepositoryConfig("fix", RepositoryConfig.Format.APT,
        URI.create(upstream.baseUri().toString().replaceAll("/$", "")), snapshot, new Keyring.File(keyring),
        RepositoryConfig.PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false);
  }

  static Alias alias(Alias.Kind kind, String algorithm, byte[] bytes) throws Exception {
    return new Alias(kind, MessageDigest.getInstance(algorithm).digest(bytes));
  }

  /** In small direct pieces, as the upstream client hands them over. */
  private static void feed(dev.reprox.storage.BlobWriter w, byte[] bytes) throws Exception {
    for (int off = 0; off < bytes.length; off += 1000) {
      int n = Math.min(1000, bytes.length - off);
      ByteBuffer b = ByteBuffer.allocateDirect(n);
      b.put(bytes, off, n).flip();
      w.write(b);
    }
  }
}
