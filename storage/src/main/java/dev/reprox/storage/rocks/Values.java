package dev.reprox.storage.rocks;

import dev.reprox.storage.Alias;
import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BuildEntry;
import dev.reprox.storage.BuildLabel;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Generation;
import dev.reprox.storage.Observation;
import dev.reprox.storage.PathEntry;
import dev.reprox.storage.Pin;
import dev.reprox.storage.Ref;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/** Encodings of the values under {@link Keys}; part of the layout that {@link Keys#LAYOUT_VERSION} names. */
final class Values {
  private Values() {}

  /**
   * A blob entry: the public info plus the internal id its bytes live under, as chunks or, with
   * {@code file}, in one file of the file tier ({@link BlobFiles}).
   */
  record BlobEntry(long id, BlobInfo info, boolean file) {
    BlobEntry(long id, BlobInfo info) {
      this(id, info, false);
    }
  }

  /** Bytes of a layout-2 blob value; layout 3 appends one byte: 1 = the bytes are in a file. */
  private static final int BLOB_V2_BYTES = 8 + 8 + 4 + 2 * Keys.INSTANT_BYTES;

  static byte[] blob(BlobEntry e) {
    ByteBuffer b = ByteBuffer.allocate(BLOB_V2_BYTES + 1);
    b.putLong(e.id()).putLong(e.info().size()).putInt(e.info().chunkSize());
    Keys.putInstant(b, e.info().created());
    Keys.putInstant(b, e.info().lastAccess());
    b.put((byte) (e.file() ? 1 : 0));
    return b.array();
  }

  static BlobEntry blob(Digest digest, byte[] v) {
    ByteBuffer b = ByteBuffer.wrap(v);
    long id = b.getLong();
    long size = b.getLong();
    int chunkSize = b.getInt();
    Instant created = Keys.getInstant(b);
    Instant lastAccess = Keys.getInstant(b);
    // A layout-2 value has no storage byte: its bytes are chunks.
    boolean file = b.hasRemaining() && b.get() == 1;
    return new BlobEntry(id, new BlobInfo(digest, size, chunkSize, created, lastAccess), file);
  }

  static byte[] generation(Generation g) {
    byte[] signer = g.signer().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(1 + 2 * Keys.INSTANT_BYTES + 4 + signer.length + 1);
    b.put((byte) (g.publishedEstimated() ? 1 : 0));
    Keys.putInstant(b, g.firstFetchedAt());
    Keys.putInstant(b, g.lastFetchedAt());
    b.putInt(signer.length).put(signer).put((byte) g.source().ordinal());
    return b.array();
  }

  static Generation generation(String repo, String root, Instant publishedAt, Digest digest, byte[] v) {
    ByteBuffer b = ByteBuffer.wrap(v);
    boolean estimated = b.get() != 0;
    Instant first = Keys.getInstant(b);
    Instant last = Keys.getInstant(b);
    byte[] signer = new byte[b.getInt()];
    b.get(signer);
    Observation.Source source = Observation.Source.values()[b.get()];
    return new Generation(repo, root, digest, publishedAt, estimated, first, last,
        new String(signer, StandardCharsets.UTF_8), source);
  }

  static byte[] instant(Instant t) {
    ByteBuffer b = ByteBuffer.allocate(Keys.INSTANT_BYTES);
    Keys.putInstant(b, t);
    return b.array();
  }

  static Instant instant(byte[] v) {
    return Keys.getInstant(ByteBuffer.wrap(v));
  }

  static byte[] pin(Pin p) {
    ByteBuffer b = ByteBuffer.allocate(Keys.INSTANT_BYTES + Digest.LENGTH + 1 + Keys.INSTANT_BYTES);
    Keys.putInstant(b, p.to());
    b.put(p.generation().bytes()).put((byte) p.status().ordinal());
    Keys.putInstant(b, p.pinnedAt());
    return b.array();
  }

  static Pin pin(String repo, String root, Instant from, byte[] v) {
    ByteBuffer b = ByteBuffer.wrap(v);
    Instant to = Keys.getInstant(b);
    Digest generation = digest(b);
    Pin.Status status = Pin.Status.values()[b.get()];
    return new Pin(repo, root, from, to, generation, status, Keys.getInstant(b));
  }

  /**
   * A layout-1 pin (key 'P' repo root at → {generation, status, pinnedAt}: one T) as the layout-2
   * value of the same key: the range [at, at].
   */
  static byte[] pinFromLayout1(byte[] key, byte[] v) {
    int repoEnd = 1 + Keys.strLength(key, 1);
    int atOffset = repoEnd + Keys.strLength(key, repoEnd);
    return ByteBuffer.allocate(Keys.INSTANT_BYTES + v.length).put(key, atOffset, Keys.INSTANT_BYTES).put(v).array();
  }

  /** Expected hash: kind byte (0 = SHA-256, else alias kind ordinal + 1), the hash, then size. */
  static byte[] pathEntry(PathEntry e) {
    PathEntry.Expected x = e.expected();
    byte[] hash = x.sha256() != null ? x.sha256().bytes() : x.alias().value();
    int kind = x.sha256() != null ? 0 : x.alias().kind().ordinal() + 1;
    return ByteBuffer.allocate(1 + hash.length + 8).put((byte) kind).put(hash).putLong(e.size()).array();
  }

  static PathEntry pathEntry(String path, Digest listing, byte[] v) {
    int kind = v[0];
    int hashLength = kind == 0 ? Digest.LENGTH : Alias.Kind.values()[kind - 1].length();
    byte[] hash = Arrays.copyOfRange(v, 1, 1 + hashLength);
    long size = ByteBuffer.wrap(v, 1 + hashLength, 8).getLong();
    PathEntry.Expected expected = kind == 0
        ? PathEntry.Expected.sha256(Digest.of(hash))
        : PathEntry.Expected.alias(new Alias(Alias.Kind.values()[kind - 1], hash));
    return new PathEntry(path, expected, size, listing);
  }

  static byte[] ref(Ref r) {
    ByteBuffer b = ByteBuffer.allocate(Digest.LENGTH + Keys.INSTANT_BYTES).put(r.digest().bytes());
    Keys.putInstant(b, r.seenAt());
    return b.array();
  }

  static Ref ref(String repo, String path, byte[] v) {
    ByteBuffer b = ByteBuffer.wrap(v);
    return new Ref(repo, path, digest(b), Keys.getInstant(b));
  }

  static byte[] buildLabel(BuildLabel l) {
    ByteBuffer b = ByteBuffer.allocate(2 * Keys.INSTANT_BYTES + 8 + 1);
    Keys.putInstant(b, l.firstUsed());
    Keys.putInstant(b, l.lastUsed());
    return b.putLong(l.entries()).put((byte) (l.truncated() ? 1 : 0)).array();
  }

  static BuildLabel buildLabel(String label, byte[] v) {
    ByteBuffer b = ByteBuffer.wrap(v);
    return new BuildLabel(label, Keys.getInstant(b), Keys.getInstant(b), b.getLong(), b.get() != 0);
  }

  /** Flags byte: bit 0 package, bit 1 root, bit 2 generation, bit 3 publishedAt, bit 4 pin; then the set ones. */
  static byte[] buildEntry(BuildEntry e) {
    byte[] root = e.root().map(r -> r.getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
    byte[] pin = e.pin().map(p -> p.getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
    ByteBuffer b = ByteBuffer.allocate(Digest.LENGTH + 8 + Keys.INSTANT_BYTES + 1 + 4 + root.length + Digest.LENGTH
        + Keys.INSTANT_BYTES + 4 + pin.length);
    b.put(e.sha256().bytes()).putLong(e.size());
    Keys.putInstant(b, e.servedAt());
    int flags = (e.isPackage() ? 1 : 0) | (e.root().isPresent() ? 2 : 0) | (e.generation().isPresent() ? 4 : 0)
        | (e.publishedAt().isPresent() ? 8 : 0) | (e.pin().isPresent() ? 16 : 0);
    b.put((byte) flags);
    if (e.root().isPresent()) {
      b.putInt(root.length).put(root);
    }
    e.generation().ifPresent(g -> b.put(g.bytes()));
    e.publishedAt().ifPresent(t -> Keys.putInstant(b, t));
    if (e.pin().isPresent()) {
      b.putInt(pin.length).put(pin);
    }
    return Arrays.copyOf(b.array(), b.position());
  }

  static BuildEntry buildEntry(String label, String repo, String at, String path, byte[] v) {
    ByteBuffer b = ByteBuffer.wrap(v);
    Digest sha = digest(b);
    long size = b.getLong();
    Instant served = Keys.getInstant(b);
    int flags = b.get();
    Optional<String> root = (flags & 2) != 0 ? Optional.of(string(b)) : Optional.empty();
    Optional<Digest> generation = (flags & 4) != 0 ? Optional.of(digest(b)) : Optional.empty();
    Optional<Instant> published = (flags & 8) != 0 ? Optional.of(Keys.getInstant(b)) : Optional.empty();
    Optional<String> pin = (flags & 16) != 0 ? Optional.of(string(b)) : Optional.empty();
    Optional<Instant> t = at.equals("live") ? Optional.empty() : Optional.of(Instant.parse(at));
    return new BuildEntry(label, repo, t, path, root, generation, published, sha, size, pin, (flags & 1) != 0, served);
  }

  private static String string(ByteBuffer b) {
    byte[] s = new byte[b.getInt()];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }

  static Digest digest(ByteBuffer b) {
    byte[] d = new byte[Digest.LENGTH];
    b.get(d);
    return Digest.of(d);
  }

  static byte[] intValue(int v) {
    return ByteBuffer.allocate(4).putInt(v).array();
  }

  static byte[] longValue(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }
}
