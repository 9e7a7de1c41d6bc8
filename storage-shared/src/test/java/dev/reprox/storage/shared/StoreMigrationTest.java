package dev.reprox.storage.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Aliases;
import dev.reprox.storage.BlobReader;
import dev.reprox.storage.BlobStore;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.BuildEntry;
import dev.reprox.storage.BuildRecords;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Generation;
import dev.reprox.storage.MutableClock;
import dev.reprox.storage.Observation;
import dev.reprox.storage.Observations;
import dev.reprox.storage.PathEntry;
import dev.reprox.storage.PathIndex;
import dev.reprox.storage.Pin;
import dev.reprox.storage.Pins;
import dev.reprox.storage.Ref;
import dev.reprox.storage.Refs;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StoreMigration} from a memory store into a {@link SharedStorage} on real PostgreSQL and S3Proxy. */
class StoreMigrationTest {
  private static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");
  private static final String ROOT = "dists/stable/InRelease";

  static SharedServers servers;

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(T0);
  private final List<String> lines = new ArrayList<>();
  private Storage source;
  private SharedStorage target;

  @BeforeAll
  static void startServers() {
    servers = SharedServers.start();
  }

  @AfterAll
  static void stopServers() {
    if (servers != null) {
      servers.close();
    }
  }

  @BeforeEach
  void open() throws Exception {
    source = MemoryStorage.builder().clock(clock).chunkSize(64 << 10).build();
    target = servers.newStorage(dir.resolve("cache"), clock, 64 << 10);
  }

  @AfterEach
  void close() {
    target.close();
    source.close();
  }

  @Test
  void run_filledStore_copiesEveryKindOfRecord_andVerifiesCounts() throws Exception {
    Digest small = put(source, bytes(1, 10_000));
    Digest large = put(source, bytes(2, 3 << 20)); // many chunks, streamed through the buffer
    Alias sha1 = new Alias(Alias.Kind.SHA1, bytes(3, 20));
    source.aliases().put(sha1, small);
    Digest listing = put(source, bytes(4, 500));
    Digest unindexed = Digest.compute(bytes(5, 10));
    PathEntry foo = new PathEntry("pool/f/foo.deb", PathEntry.Expected.sha256(small), 10_000, listing);
    PathEntry bar = new PathEntry("pool/b/bar.deb", PathEntry.Expected.alias(sha1), 10_000, listing);
    source.paths().putListing("debian", listing, List.of(foo, bar));
    Digest g1 = Digest.compute(bytes(6, 100));
    source.observations().record(observation(g1, T0.minusSeconds(3600), T0));
    Generation g = source.observations().record(observation(g1, T0.minusSeconds(3600), T0.plusSeconds(600)));
    Pin range = new Pin("debian", ROOT, T0.plusSeconds(10), T0.plusSeconds(500), g1, Pin.Status.PROVEN, T0);
    source.pins().putIfAbsent(Pin.at("debian", ROOT, T0.plusSeconds(10), g1, Pin.Status.PROVEN, T0),
        T0.plusSeconds(10));
    source.pins().putIfAbsent(range, T0.plusSeconds(500)); // joined: one record [10 s, 500 s]
    assertThat(source.pins().list("debian")).containsExactly(range);
    Ref ref = new Ref("debian", "pool/x/x.deb", large, T0);
    source.refs().put(ref);
    BuildEntry entry = new BuildEntry("ci-42", "debian", Optional.of(T0), foo.path(), Optional.of(ROOT),
        Optional.of(g1), Optional.of(T0.minusSeconds(3600)), small, 10_000, Optional.of("proven"), true,
        T0.plusSeconds(5));
    source.builds().record(entry, 100);

    StoreMigration.Report report = StoreMigration.run(source, target, lines::add);

    assertThat(report.problems()).isEmpty();
    assertThat(report.count("blobs").copied()).isEqualTo(3);
    assertThat(report.count("blobs").bytes()).isEqualTo(10_000 + (3 << 20) + 500);
    assertThat(report.summary()).last().asString().startsWith("migrate: done:");
    try (BlobReader r = target.blobs().open(large)) {
      ByteBuffer all = ByteBuffer.allocate(3 << 20);
      while (all.hasRemaining() && r.read(all.position(), all) > 0) {
        // read to the end
      }
      assertThat(all.array()).isEqualTo(bytes(2, 3 << 20));
    }
    assertThat(target.aliases().resolve(sha1)).contains(small);
    assertThat(target.paths().isIndexed("debian", listing)).isTrue();
    assertThat(target.paths().isIndexed("debian", unindexed)).isFalse();
    assertThat(target.paths().lookup("debian", foo.path())).containsExactly(foo);
    assertThat(target.paths().lookup("debian", bar.path())).containsExactly(bar);
    assertThat(target.observations().byDigest("debian", ROOT, g1)).contains(g);
    // The whole range moved as one record: a T inside it that nobody asked the old store for.
    assertThat(target.pins().list("debian")).containsExactly(range);
    assertThat(target.pins().get("debian", ROOT, T0.plusSeconds(250))).contains(range);
    assertThat(target.refs().get("debian", ref.path())).contains(ref);
    assertThat(target.builds().labels()).containsExactlyElementsOf(source.builds().labels());
    assertThat(target.builds().entries("ci-42")).containsExactly(entry);
    assertThat(lines).anyMatch(l -> l.startsWith("migrate: blobs: 3 read, 3 copied"));
  }

  @Test
  void run_again_copiesNothing_andStillVerifies() throws Exception {
    Digest blob = put(source, bytes(7, 70_000));
    source.aliases().put(new Alias(Alias.Kind.MD5, bytes(8, 16)), blob);
    Digest listing = put(source, bytes(9, 100));
    source.paths().putListing("debian", listing,
        List.of(new PathEntry("pool/a.deb", PathEntry.Expected.sha256(blob), 70_000, listing)));
    Digest g1 = Digest.compute(bytes(10, 100));
    source.observations().record(observation(g1, T0, T0));
    source.pins().putIfAbsent(Pin.at("debian", ROOT, T0, g1, Pin.Status.PROVEN, T0), T0);
    source.refs().put(new Ref("debian", "x", blob, T0));
    source.builds().record(new BuildEntry("b", "debian", Optional.empty(), "x", Optional.empty(),
        Optional.empty(), Optional.empty(), blob, 70_000, Optional.empty(), false, T0), 100);
    StoreMigration.Report first = StoreMigration.run(source, target, lines::add);
    assertThat(first.problems()).isEmpty();
    assertThat(first.copied()).isEqualTo(2 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1);

    StoreMigration.Report again = StoreMigration.run(source, target, lines::add);

    assertThat(again.problems()).isEmpty();
    assertThat(again.copied()).isZero();
    assertThat(again.count("blobs").read()).isEqualTo(2);
    assertThat(again.count("blobs").shared()).isEqualTo(2);
    assertThat(again.count("build entries").shared()).isEqualTo(1);
  }

  @Test
  void run_afterPartialRun_copiesOnlyWhatIsMissing() throws Exception {
    Digest first = put(source, bytes(11, 5000));
    StoreMigration.run(source, target, lines::add);
    // What a cut-short run leaves: some blobs in, the rest not yet.
    Digest second = put(source, bytes(12, 5000));
    Digest third = put(source, bytes(13, 5000));

    StoreMigration.Report resumed = StoreMigration.run(source, target, lines::add);

    assertThat(resumed.count("blobs").read()).isEqualTo(3);
    assertThat(resumed.count("blobs").copied()).isEqualTo(2);
    assertThat(target.blobs().stat(first)).isPresent();
    assertThat(target.blobs().stat(second)).isPresent();
    assertThat(target.blobs().stat(third)).isPresent();
  }

  @Test
  void run_interruptedMidway_thenRerun_copiesTheRest() throws Exception {
    List<Digest> blobs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      blobs.add(put(source, bytes(20 + i, 3000)));
    }
    Digest g1 = Digest.compute(bytes(30, 10));
    source.observations().record(observation(g1, T0, T0));
    source.pins().putIfAbsent(Pin.at("debian", ROOT, T0, g1, Pin.Status.PROVEN, T0), T0);
    Storage failing = new FailingAfter(source, 2); // the source's disk (or the network) fails midway

    assertThatThrownBy(() -> StoreMigration.run(failing, target, lines::add)).isInstanceOf(IOException.class);
    assertThat(blobs.stream().filter(d -> present(d))).hasSize(2);
    assertThat(target.pins().list("debian")).isEmpty(); // metadata after blobs: nothing named a missing blob

    StoreMigration.Report rerun = StoreMigration.run(source, target, lines::add);

    assertThat(rerun.problems()).isEmpty();
    assertThat(rerun.count("blobs").copied()).isEqualTo(3);
    assertThat(rerun.count("pins").copied()).isEqualTo(1);
    assertThat(blobs).allMatch(this::present);
  }

  @Test
  void run_damagedSourceBlob_isNotCopied_andTheRunFails() throws Exception {
    Digest good = put(source, bytes(14, 4000));
    Digest damaged = put(source, bytes(15, 4000));
    Storage lying = new ServingOtherBytes(source, damaged, good);

    StoreMigration.Report report = StoreMigration.run(lying, target, lines::add);

    assertThat(report.ok()).isFalse();
    assertThat(report.problems()).anyMatch(p -> p.contains("blob " + damaged) && p.contains("damaged"));
    assertThat(target.blobs().stat(damaged)).isEmpty();
    assertThat(target.blobs().stat(good)).isPresent();
    assertThat(report.summary()).last().asString().startsWith("migrate: FAILED");
  }

  @Test
  void run_pinOverlappingAnotherAnswer_keepsTheSharedOne_andFails() throws Exception {
    Digest g1 = Digest.compute(bytes(16, 10));
    Digest g2 = Digest.compute(bytes(17, 10));
    Pin mine = new Pin("debian", ROOT, T0, T0.plusSeconds(100), g1, Pin.Status.PROVEN, T0);
    source.pins().putIfAbsent(Pin.at("debian", ROOT, T0, g1, Pin.Status.PROVEN, T0), T0);
    source.pins().putIfAbsent(mine, T0.plusSeconds(100));
    Pin theirs = target.pins().putIfAbsent(Pin.at("debian", ROOT, T0.plusSeconds(50), g2, Pin.Status.PROVEN, T0),
        T0.plusSeconds(50));
    source.observations().record(observation(g1, T0, T0));

    StoreMigration.Report report = StoreMigration.run(source, target, lines::add);

    assertThat(report.problems()).singleElement().asString().contains("overlaps another answer");
    assertThat(target.pins().list("debian")).containsExactly(theirs);
  }

  private Observation observation(Digest digest, Instant published, Instant fetched) {
    return new Observation("debian", ROOT, digest, published, false, fetched, "ABCD", Observation.Source.LIVE);
  }

  private static Digest put(Storage storage, byte[] data) throws IOException {
    try (BlobWriter w = storage.blobs().newWriter()) {
      w.write(ByteBuffer.wrap(data));
      return w.commit(null, -1).digest();
    }
  }

  private static byte[] bytes(long seed, int size) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private boolean present(Digest d) {
    try {
      return target.blobs().stat(d).isPresent();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A source whose blob walk fails after {@code n} blobs, as a migration cut short would. */
  private static final class FailingAfter extends ServingOtherBytes {
    private final int n;

    FailingAfter(Storage delegate, int n) {
      super(delegate, null, null);
      this.n = n;
    }

    @Override
    public BlobStore blobs() {
      BlobStore inner = super.blobs();
      return new BlobStore() {
        @Override
        public Optional<dev.reprox.storage.BlobInfo> stat(Digest digest) throws IOException {
          return inner.stat(digest);
        }

        @Override
        public BlobReader open(Digest digest) throws IOException {
          return inner.open(digest);
        }

        @Override
        public BlobWriter newWriter() throws IOException {
          return inner.newWriter();
        }

        @Override
        public boolean delete(Digest digest) throws IOException {
          return inner.delete(digest);
        }

        @Override
        public void forEach(Visitor visitor) throws IOException {
          int[] seen = {0};
          inner.forEach(info -> {
            if (seen[0]++ == n) {
              throw new IOException("source store: read failed (test)");
            }
            visitor.visit(info);
          });
        }

        @Override
        public dev.reprox.storage.ScrubReport scrub(
            java.util.function.Consumer<dev.reprox.storage.ScrubReport.Damage> damaged) throws IOException {
          return inner.scrub(damaged);
        }
      };
    }
  }

  /** A source whose blob {@code damaged} reads as {@code other}'s bytes, as a rotted disk would. */
  private static class ServingOtherBytes implements Storage {
    private final Storage delegate;
    private final Digest damaged;
    private final Digest other;

    ServingOtherBytes(Storage delegate, Digest damaged, Digest other) {
      this.delegate = delegate;
      this.damaged = damaged;
      this.other = other;
    }

    @Override
    public BlobStore blobs() {
      BlobStore blobs = delegate.blobs();
      return new BlobStore() {
        @Override
        public Optional<dev.reprox.storage.BlobInfo> stat(Digest digest) throws IOException {
          return blobs.stat(digest);
        }

        @Override
        public BlobReader open(Digest digest) throws IOException {
          return blobs.open(digest.equals(damaged) && other != null ? other : digest);
        }

        @Override
        public BlobWriter newWriter() throws IOException {
          return blobs.newWriter();
        }

        @Override
        public boolean delete(Digest digest) throws IOException {
          return blobs.delete(digest);
        }

        @Override
        public void forEach(Visitor visitor) throws IOException {
          blobs.forEach(visitor);
        }

        @Override
        public dev.reprox.storage.ScrubReport scrub(
            java.util.function.Consumer<dev.reprox.storage.ScrubReport.Damage> damagedBlobs) throws IOException {
          return blobs.scrub(damagedBlobs);
        }
      };
    }

    @Override
    public Aliases aliases() {
      return delegate.aliases();
    }

    @Override
    public Observations observations() {
      return delegate.observations();
    }

    @Override
    public Pins pins() {
      return delegate.pins();
    }

    @Override
    public PathIndex paths() {
      return delegate.paths();
    }

    @Override
    public Refs refs() {
      return delegate.refs();
    }

    @Override
    public BuildRecords builds() {
      return delegate.builds();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
