package dev.reprox.storage.rocks;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Every RocksDB key reprox writes, built here and nowhere else.
 *
 * <pre>
 * column family "default" (small values; first byte = family)
 * ├── 'M' "layout"                                  → int LAYOUT_VERSION
 * ├── 'M' "next-id"                                 → long: blob ids below this are handed out
 * ├── 'B' sha256[32]                                → blob {id, size, chunkSize, created, lastAccess,
 * │                                                   byte storage}: 0 = chunks, 1 = one file
 * │                                                   blob-files/xx/id (layout 3; a layout-2 value
 * │                                                   has no storage byte and means chunks)
 * ├── 'O' str(repo) str(root) instant(published) sha256[32]
 * │                                                 → generation {estimated, first, last, signer, source}
 * ├── 'G' str(repo) str(root) sha256[32]            → instant(published): finds the 'O' key by digest
 * ├── 'P' str(repo) str(root) instant(from)         → pin {instant(to), generation, status, pinnedAt}:
 * │                                                   the answer for every T in [from, to] (layout 2;
 * │                                                   layout 1 had one key per T and no 'to')
 * ├── 'L' str(repo) str(path) sha256[32](listing)   → path entry {expected, size}
 * ├── 'X' str(repo) sha256[32](listing)             → (empty) the listing is fully indexed
 * ├── 'A' byte(alias kind) alias bytes              → sha256[32]
 * ├── 'R' str(repo) str(path)                       → ref {sha256, seenAt}
 * ├── 'K' str(label)                                → build label {firstUsed, lastUsed, entries, truncated}
 * └── 'E' str(label) str(repo) str(at) str(path)    → build entry {sha256, size, servedAt, package,
 *                                                     root?, generation?, publishedAt?, pin?}: at is
 *                                                     the ISO-8601 T or "live" (added in layout 2
 *                                                     without a bump: an older reprox never reads
 *                                                     'K'/'E', a store without them has no records)
 * column family "chunks" (BlobDB: values live in blob files, GC off)
 * └── long(blob id) long(chunk index)               → chunk bytes (chunkSize, the last one shorter)
 * column family "open-writes"
 * └── long(blob id)                                 → (empty) a write in progress; deleted with its
 *                                                     chunks and file when the store opens (crash safety)
 * file tier (beside the RocksDB files, not in RocksDB)
 * └── blob-files/xx/id                              → the bytes of a blob whose entry says "file":
 *                                                     xx = the id's low byte in hex (256 directories),
 *                                                     id = 16 hex digits
 * </pre>
 *
 * <p>{@code str} is a 4-byte big-endian length and the UTF-8 bytes, so ("a", "b/c") and
 * ("a/b", "c") can never share a key; strings of one family order by length, then bytes.
 * {@code long} is big-endian. {@code instant} is the epoch second big-endian with its sign bit
 * flipped (so 1960 sorts before 1970) and then the nanosecond as a big-endian int: byte order
 * is time order, and "greatest ≤ T" is one {@code seekForPrev}.
 */
final class Keys {
  /**
   * Bump when any key or value encoding changes; a store of another layout refuses to open, except
   * one {@link RocksStorage} knows how to migrate (layout 1: pins per T, rewritten as ranges).
   * A new family that older code never reads (as 'K' and 'E', build records) is no change of an
   * existing encoding and needs no bump; changing how an existing family is encoded always does,
   * with a migration here or a refusal to open.
   *
   * <p>Layout 3 (blob files): a blob value may say its bytes are in a file. Every layout-2 value
   * reads as before, so a layout-2 store is only restamped; the bump makes an older reprox refuse
   * a store whose blobs it would find no chunks for.
   */
  static final int LAYOUT_VERSION = 3;

  static final byte META = 'M';
  static final byte BLOB = 'B';
  static final byte OBSERVATION = 'O';
  static final byte GENERATION_BY_DIGEST = 'G';
  static final byte PIN = 'P';
  static final byte PATH = 'L';
  static final byte LISTING_INDEXED = 'X';
  static final byte ALIAS = 'A';
  static final byte REF = 'R';
  static final byte BUILD_LABEL = 'K';
  static final byte BUILD_ENTRY = 'E';

  static final int INSTANT_BYTES = 12;
  static final int CHUNK_KEY_BYTES = 16;

  private Keys() {}

  static byte[] layout() {
    return meta("layout");
  }

  static byte[] nextId() {
    return meta("next-id");
  }

  static byte[] blob(Digest digest) {
    return new Builder(BLOB).digest(digest).build();
  }

  /** The prefix of every blob entry, for scans. */
  static byte[] blobPrefix() {
    return new byte[] {BLOB};
  }

  static byte[] observationPrefix(String repo, String root) {
    return new Builder(OBSERVATION).str(repo).str(root).build();
  }

  static byte[] observation(String repo, String root, Instant publishedAt, Digest digest) {
    return new Builder(OBSERVATION).str(repo).str(root).instant(publishedAt).digest(digest).build();
  }

  /** The largest possible observation key at {@code t}: the floor seek target. */
  static byte[] observationCeilingAt(String repo, String root, Instant t) {
    byte[] k = new Builder(OBSERVATION).str(repo).str(root).instant(t).pad(Digest.LENGTH, (byte) 0xff).build();
    return k;
  }

  static byte[] generationByDigest(String repo, String root, Digest digest) {
    return new Builder(GENERATION_BY_DIGEST).str(repo).str(root).digest(digest).build();
  }

  static byte[] generationByDigestPrefix(String repo) {
    return new Builder(GENERATION_BY_DIGEST).str(repo).build();
  }

  static byte[] generationByDigestPrefix(String repo, String root) {
    return new Builder(GENERATION_BY_DIGEST).str(repo).str(root).build();
  }

  static byte[] pin(String repo, String root, Instant from) {
    return new Builder(PIN).str(repo).str(root).instant(from).build();
  }

  static byte[] pinPrefix(String repo) {
    return new Builder(PIN).str(repo).build();
  }

  static byte[] pinPrefix(String repo, String root) {
    return new Builder(PIN).str(repo).str(root).build();
  }

  /** The prefix of every pin of every repository, for the layout migration. */
  static byte[] pinPrefix() {
    return new byte[] {PIN};
  }

  static byte[] path(String repo, String path, Digest listing) {
    return new Builder(PATH).str(repo).str(path).digest(listing).build();
  }

  static byte[] pathPrefix(String repo, String path) {
    return new Builder(PATH).str(repo).str(path).build();
  }

  /** The prefix of every path entry of {@code repo}. */
  static byte[] pathPrefix(String repo) {
    return new Builder(PATH).str(repo).build();
  }

  /** The prefix of every "indexed" marker of {@code repo}. */
  static byte[] listingIndexedPrefix(String repo) {
    return new Builder(LISTING_INDEXED).str(repo).build();
  }

  /** The prefix of every observation of every repository. */
  static byte[] observationPrefix() {
    return new byte[] {OBSERVATION};
  }

  /** The prefix of every observation of {@code repo}. */
  static byte[] observationPrefix(String repo) {
    return new Builder(OBSERVATION).str(repo).build();
  }

  /** The prefix of every ref of every repository. */
  static byte[] refPrefix() {
    return new byte[] {REF};
  }

  static byte[] listingIndexed(String repo, Digest listing) {
    return new Builder(LISTING_INDEXED).str(repo).digest(listing).build();
  }

  static byte[] aliasPrefix(Alias.Kind kind) {
    return new byte[] {ALIAS, (byte) kind.ordinal()};
  }

  static byte[] alias(Alias alias) {
    return new Builder(ALIAS).raw(new byte[] {(byte) alias.kind().ordinal()}).raw(alias.value()).build();
  }

  static byte[] ref(String repo, String path) {
    return new Builder(REF).str(repo).str(path).build();
  }

  static byte[] buildLabel(String label) {
    return new Builder(BUILD_LABEL).str(label).build();
  }

  static byte[] buildLabelPrefix() {
    return new byte[] {BUILD_LABEL};
  }

  static byte[] buildEntry(String label, String repo, String at, String path) {
    return new Builder(BUILD_ENTRY).str(label).str(repo).str(at).str(path).build();
  }

  static byte[] buildEntryPrefix(String label) {
    return new Builder(BUILD_ENTRY).str(label).build();
  }

  /** Chunk {@code index} of blob {@code id}, written into a direct buffer (flipped). */
  static ByteBuffer chunk(ByteBuffer dst, long id, long index) {
    return dst.clear().putLong(id).putLong(index).flip();
  }

  static byte[] chunk(long id, long index) {
    return ByteBuffer.allocate(CHUNK_KEY_BYTES).putLong(id).putLong(index).array();
  }

  static long chunkId(byte[] key) {
    return ByteBuffer.wrap(key).getLong(0);
  }

  /** Blob ids are positive longs, so every chunk and open-write key sorts below this. */
  static byte[] idsEnd() {
    return new byte[] {(byte) 0x80};
  }

  static byte[] openWrite(long id) {
    return ByteBuffer.allocate(Long.BYTES).putLong(id).array();
  }

  /** The first key after every key starting with {@code prefix}: an iterate upper bound. */
  static byte[] after(byte[] prefix) {
    byte[] k = prefix.clone();
    for (int i = k.length - 1; i >= 0; i--) {
      if (k[i] != (byte) 0xff) {
        k[i]++;
        return Arrays.copyOf(k, i + 1);
      }
    }
    throw new IllegalArgumentException("no key follows an all-0xff prefix");
  }

  static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  static void putInstant(ByteBuffer b, Instant t) {
    b.putLong(t.getEpochSecond() ^ Long.MIN_VALUE).putInt(t.getNano());
  }

  static Instant getInstant(ByteBuffer b) {
    long seconds = b.getLong() ^ Long.MIN_VALUE;
    return Instant.ofEpochSecond(seconds, b.getInt());
  }

  static Instant instantAt(byte[] key, int offset) {
    return getInstant(ByteBuffer.wrap(key, offset, INSTANT_BYTES));
  }

  static Digest digestAt(byte[] key, int offset) {
    return Digest.of(Arrays.copyOfRange(key, offset, offset + Digest.LENGTH));
  }

  /** Reads the string component at {@code offset}; see the layout above. */
  static String strAt(byte[] key, int offset) {
    int len = ByteBuffer.wrap(key, offset, 4).getInt();
    return new String(key, offset + 4, len, StandardCharsets.UTF_8);
  }

  /** Bytes the string component at {@code offset} takes. */
  static int strLength(byte[] key, int offset) {
    return 4 + ByteBuffer.wrap(key, offset, 4).getInt();
  }

  private static byte[] meta(String name) {
    return new Builder(META).raw(name.getBytes(StandardCharsets.US_ASCII)).build();
  }

  /** Appends key components in layout order. */
  private static final class Builder {
    private ByteBuffer b = ByteBuffer.allocate(64);

    Builder(byte family) {
      b.put(family);
    }

    Builder str(String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      ensure(4 + utf8.length).putInt(utf8.length).put(utf8);
      return this;
    }

    Builder digest(Digest d) {
      ensure(Digest.LENGTH).put(d.bytes());
      return this;
    }

    Builder instant(Instant t) {
      putInstant(ensure(INSTANT_BYTES), t);
      return this;
    }

    Builder raw(byte[] bytes) {
      ensure(bytes.length).put(bytes);
      return this;
    }

    Builder pad(int n, byte value) {
      byte[] fill = new byte[n];
      Arrays.fill(fill, value);
      return raw(fill);
    }

    byte[] build() {
      return Arrays.copyOf(b.array(), b.position());
    }

    private ByteBuffer ensure(int more) {
      if (b.remaining() < more) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + more));
        b.flip();
        bigger.put(b);
        b = bigger;
      }
      return b;
    }
  }
}
