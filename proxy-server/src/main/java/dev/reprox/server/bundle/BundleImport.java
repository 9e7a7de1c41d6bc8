package dev.reprox.server.bundle;

import com.github.luben.zstd.ZstdInputStream;
import dev.reprox.pinning.BodyCheck;
import dev.reprox.pinning.Format;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.pinning.Listings;
import dev.reprox.pinning.PathKind;
import dev.reprox.pinning.RootIndex;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.server.fetch.BlobInputStream;
import dev.reprox.server.fetch.Formats;
import dev.reprox.storage.Alias;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Generation;
import dev.reprox.storage.Observation;
import dev.reprox.storage.Pin;
import dev.reprox.storage.Ref;
import dev.reprox.storage.Storage;
import dev.reprox.storage.StorageException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a bundle (docs/bundle.md) into a store in one streaming pass, and makes nothing visible
 * unless the whole bundle verified.
 *
 * <p>Pass: the manifest comes first; then every blob, in an order where whatever it is checked
 * against came before it. A root is verified against this side's keyring ({@link
 * Format#verifyRoot}); a listing or index file must be what a verified root lists (digest and
 * size); a package must be what a verified listing names. A blob is committed to the store only
 * after that check and only under its expected digest and size, so the store itself refuses a
 * changed byte. Blobs are content-addressed and nothing refers to them yet: no observation, path
 * index entry, alias or pin. Only after the last entry verified (and every blob the manifest lists
 * arrived) are those written: observations (source {@code import}), detached signature refs, the
 * listings' path index, the packages' aliases, and the pins, last. A refused bundle deletes the
 * blobs this import created, so the store is as it was.
 *
 * <p>Pins are never overwritten: a bundle pin that overlaps a pin of another generation is
 * reported as a conflict and skipped; the store's pin stays. A second import of the same bundle
 * changes nothing and says so ({@link Report#changed()}).
 *
 * <p>Long on purpose: the one streaming pass keeps the chain of checks (signature → root →
 * listing → package) and the staged metadata it publishes at the end in one place, so that what
 * becomes visible and when can be read top to bottom.
 */
public final class BundleImport {
  static final int MAX_MANIFEST_BYTES = 256 << 20;
  static final int MAX_SIGNATURE_BYTES = 1 << 20;
  private static final int COPY_BUFFER = 256 << 10;

  private final Storage storage;
  private final Map<String, Format> formats;
  private final Clock clock;

  /** What an import did. */
  public record Report(int blobsNew, int blobsPresent, long bytes, int observations, int signatures,
      int listingsIndexed, int aliases, int pinsAdded, int pinsUnchanged, List<String> conflicts) {
    /** False when the store is exactly as before (a repeated import). */
    public boolean changed() {
      return blobsNew + observations + signatures + listingsIndexed + aliases + pinsAdded > 0;
    }
  }

  public BundleImport(Storage storage, Map<String, Format> formats, Clock clock) {
    this.storage = storage;
    this.formats = Map.copyOf(formats);
    this.clock = clock;
  }

  /**
   * Verifies and imports the bundle read from {@code in} (not closed).
   *
   * @throws BundleException when the bundle is refused; the store is then as it was
   */
  public Report read(InputStream in) throws IOException {
    Staged staged = new Staged();
    try {
      verify(in, staged);
    } catch (IOException | RuntimeException e) {
      rollback(staged);
      if (e instanceof BundleException b) {
        throw b;
      }
      throw new BundleException(e instanceof StorageException && !(e instanceof dev.reprox.storage.DigestMismatchException)
          && !(e instanceof dev.reprox.storage.SizeMismatchException) ? BundleException.Kind.STORE
          : BundleException.Kind.INTEGRITY, "import refused, nothing imported: " + message(e), e);
    }
    return publish(staged);
  }

  // ---- pass 1: verify while streaming; only chain-checked blobs reach the store

  private void verify(InputStream in, Staged s) throws IOException {
    TarArchiveInputStream tar = new TarArchiveInputStream(
        new ZstdInputStream(new BufferedInputStream(nonClosing(in), COPY_BUFFER)));
    TarArchiveEntry first = tar.getNextEntry();
    if (first == null || !Manifest.ENTRY.equals(first.getName())) {
      throw refused("the first entry is not " + Manifest.ENTRY);
    }
    if (first.getSize() > MAX_MANIFEST_BYTES) {
      throw refused(Manifest.ENTRY + " is " + first.getSize() + " bytes");
    }
    s.manifest = Manifest.parse(new java.io.ByteArrayInputStream(tar.readNBytes((int) first.getSize())));
    index(s);
    byte[] buffer = new byte[COPY_BUFFER];
    for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
      String name = e.getName();
      if (!name.startsWith(Manifest.BLOB_PREFIX)) {
        throw refused("unexpected entry " + name);
      }
      String hex = name.substring(Manifest.BLOB_PREFIX.length());
      Manifest.BlobEntry b = s.blobs.get(hex);
      if (b == null || !s.seen.add(hex)) {
        throw refused("entry " + name + (b == null ? " is not in the manifest" : " appears twice"));
      }
      if (e.getSize() != b.size()) {
        throw refused("entry " + name + " is " + e.getSize() + " bytes, the manifest says " + b.size());
      }
      blob(s, tar, Digest.sha256(hex), b.size(), buffer);
    }
    if (s.seen.size() != s.blobs.size()) {
      throw refused((s.blobs.size() - s.seen.size()) + " blobs of the manifest are missing (truncated bundle?)");
    }
  }

  /** Checks the manifest's cross references and indexes what each blob is. */
  private void index(Staged s) throws BundleException {
    Manifest m = s.manifest;
    for (Manifest.BlobEntry b : m.blobs()) {
      digest(b.digest());
      if (b.size() < 0 || s.blobs.put(b.digest(), b) != null) {
        throw refused("manifest: blob " + b.digest() + " is listed twice or has a negative size");
      }
    }
    for (Manifest.RootEntry r : m.roots()) {
      Format f = format(r.repo());
      if (f.classify(r.path()) != PathKind.ROOT_INDEX) {
        throw refused("manifest: " + r.repo() + "/" + r.path() + " is not a root index of a " + f.name()
            + " repository");
      }
      need(s, r.digest(), "root " + r.path());
      instant(r.firstFetchedAt());
      instant(r.lastFetchedAt());
      instant(r.publishedAt());
      s.refs(r.digest()).add(r);
      if (r.signature() != null) {
        need(s, r.signature(), "signature of " + r.path());
        s.refs(r.signature()).add(new SignatureRef(r));
      }
      s.rootsByKey.put(r.repo() + " " + r.digest(), r);
    }
    for (Manifest.FileEntry f : m.files()) {
      format(f.repo());
      need(s, f.digest(), f.path());
      switch (f.kind() == null ? "" : f.kind()) {
        case Manifest.FileEntry.LISTING, Manifest.FileEntry.INDEX -> {
          if (!s.rootsByKey.containsKey(f.repo() + " " + f.of())) {
            throw refused("manifest: " + f.repo() + "/" + f.path() + " names root " + f.of() + ", not in the bundle");
          }
          if (Manifest.FileEntry.LISTING.equals(f.kind())) {
            s.listings.putIfAbsent(f.repo() + " " + f.digest(), f);
          }
        }
        case Manifest.FileEntry.PACKAGE -> s.wanted.computeIfAbsent(f.repo() + " " + f.of(), k -> new HashSet<>())
            .add(f.path());
        default -> throw refused("manifest: " + f.path() + " has kind " + f.kind());
      }
      s.refs(f.digest()).add(f);
    }
    for (Manifest.FileEntry f : m.files()) {
      // apk: the APKINDEX is its own listing, so a package names the root it is listed in
      if (Manifest.FileEntry.PACKAGE.equals(f.kind()) && !s.listings.containsKey(f.repo() + " " + f.of())
          && !s.rootsByKey.containsKey(f.repo() + " " + f.of())) {
        throw refused("manifest: package " + f.repo() + "/" + f.path() + " names listing " + f.of()
            + ", not in the bundle");
      }
    }
    for (Manifest.PinEntry p : m.pins()) {
      Manifest.RootEntry r = s.rootsByKey.get(p.repo() + " " + p.generation());
      if (r == null || !r.path().equals(p.root())) {
        throw refused("manifest: pin " + p.repo() + "/" + p.root() + " answers " + p.generation()
            + ", which the bundle does not hold");
      }
      if (instant(p.to()).isBefore(instant(p.from()))) {
        throw refused("manifest: pin " + p.repo() + "/" + p.root() + " ends before it starts");
      }
      instant(p.pinnedAt());
      try {
        Pin.Status.valueOf(p.status());
      } catch (IllegalArgumentException | NullPointerException e) {
        throw refused("manifest: pin status " + p.status());
      }
    }
  }

  /** One blob entry: every claim about it is checked before a byte of it is stored. */
  private void blob(Staged s, InputStream in, Digest d, long size, byte[] buffer) throws IOException {
    List<Object> refs = s.refs.getOrDefault(d.hex(), List.of());
    if (refs.isEmpty()) {
      throw refused("blob " + d + " is referred to by nothing in the manifest");
    }
    boolean whole = false;
    for (Object ref : refs) {
      if (ref instanceof Manifest.RootEntry || ref instanceof SignatureRef) {
        whole = true;
      } else if (ref instanceof Manifest.FileEntry f) {
        expectFile(s, f, d, size);
      }
    }
    if (whole) {
      if (size > (refs.stream().anyMatch(r -> r instanceof Manifest.RootEntry) ? BundlePlanner.MAX_ROOT_BYTES
          : MAX_SIGNATURE_BYTES)) {
        throw refused("blob " + d + " is too large for a root index or signature: " + size + " bytes");
      }
      byte[] bytes = in.readNBytes((int) size);
      if (bytes.length != size || !Digest.compute(bytes).equals(d)) {
        throw refused("blob " + d + " does not have that digest");
      }
      for (Object ref : refs) {
        if (ref instanceof SignatureRef) {
          s.signatures.put(d.hex(), bytes);
        }
      }
      for (Object ref : refs) {
        if (ref instanceof Manifest.RootEntry r) {
          verifyRoot(s, r, bytes);
        }
      }
      store(s, d, size, new java.io.ByteArrayInputStream(bytes), buffer, List.of());
    } else {
      store(s, d, size, in, buffer, s.checks.getOrDefault(d.hex(), List.of()));
    }
    for (Object ref : refs) {
      if (ref instanceof Manifest.FileEntry f && Manifest.FileEntry.LISTING.equals(f.kind())) {
        readListing(s, f, d);
      }
    }
  }

  private void verifyRoot(Staged s, Manifest.RootEntry r, byte[] bytes) throws BundleException {
    byte[] signature = null;
    if (r.signature() != null) {
      signature = s.signatures.get(r.signature());
      if (signature == null) {
        throw refused("root " + r.repo() + "/" + r.path() + " comes before its signature");
      }
    }
    RootIndex index;
    try {
      index = format(r.repo()).verifyRoot(r.path(), bytes, signature);
    } catch (SignatureInvalidException e) {
      throw refused("root " + r.repo() + "/" + r.path() + " " + r.digest() + " does not verify against the keyring"
          + " of " + r.repo() + ": " + e.getMessage());
    } catch (IndexParseException e) {
      throw refused("root " + r.repo() + "/" + r.path() + " does not parse: " + e.getMessage());
    } catch (IllegalStateException e) {
      throw new BundleException(BundleException.Kind.USAGE, "keyring of " + r.repo() + ": " + e.getMessage(), e);
    }
    if (!index.verified()) {
      throw refused("repository " + r.repo() + " has no keyring here: an import needs one to verify its roots");
    }
    s.verified.put(r.repo() + " " + r.digest(), index);
  }

  private void expectFile(Staged s, Manifest.FileEntry f, Digest d, long size) throws BundleException {
    ListedFile listed;
    if (Manifest.FileEntry.PACKAGE.equals(f.kind())) {
      Map<String, ListedFile> named = s.named.get(f.repo() + " " + f.of());
      RootIndex root = s.verified.get(f.repo() + " " + f.of());
      if (named == null && root == null) {
        throw refused("package " + f.repo() + "/" + f.path() + " comes before its listing " + f.of());
      }
      listed = named != null ? named.get(f.path()) : root.lookup(f.path()).orElse(null);
      if (listed == null) {
        throw refused("listing " + f.of() + " does not name " + f.repo() + "/" + f.path());
      }
    } else {
      RootIndex root = s.verified.get(f.repo() + " " + f.of());
      if (root == null) {
        throw refused(f.repo() + "/" + f.path() + " comes before its root " + f.of());
      }
      listed = root.lookup(f.path()).orElseThrow(() -> refused("root " + f.of() + " does not list " + f.path()));
    }
    if (listed.sha256() == null && listed.size() == size) {
      // Named by another hash and size only: checked while it streams into the store (see
      // store()), with the check the fetch path uses (Format#bodyCheck: apk's C:Q1), else a plain
      // digest of the whole file (dnf's repomd.xml or primary by sha512 or sha1).
      Alias own = listed.aliases().get(0);
      if (check(f, own).isEmpty()) {
        throw refused(f.repo() + "/" + f.path() + " is named by " + own.kind() + " only, which an import cannot"
            + " check");
      }
      s.checks.computeIfAbsent(d.hex(), k -> new ArrayList<>()).add(new OwnHash(f, own));
    } else if (!d.equals(listed.sha256()) || listed.size() != size) {
      throw refused(f.repo() + "/" + f.path() + ": the bundle holds " + d + " (" + size + " bytes), the signed chain"
          + " says " + listed.sha256() + " (" + listed.size() + " bytes)");
    }
    if (Manifest.FileEntry.PACKAGE.equals(f.kind()) || listed.sha256() == null) {
      // A listing named by an alias only is found through it (RootIndex.choose): record it too.
      s.packageAliases.add(new Named(listed, d));
    }
  }

  private Optional<BodyCheck> check(Manifest.FileEntry f, Alias own) throws BundleException {
    Optional<BodyCheck> formats = format(f.repo()).bodyCheck(own, f.repo() + "/" + f.path());
    return formats.isPresent() ? formats : WholeFileCheck.of(own);
  }

  /**
   * Streams {@code size} bytes into the store under {@code d}, or only hashes them when stored
   * already. A package its listing names by the format's own hash ({@code own}: apk's Q1) also goes
   * through the fetch path's check of it ({@link dev.reprox.pinning.Format#bodyCheck}; apk: the
   * control member must hash to the signed Q1 and the data part to its {@code .PKGINFO} datahash),
   * else nothing is committed. Checked even when present: a store written before the datahash
   * check may hold a bad package, and the alias would bless it.
   */
  private void store(Staged s, Digest d, long size, InputStream in, byte[] buffer, List<OwnHash> own)
      throws IOException {
    boolean present = storage.blobs().stat(d).isPresent();
    MessageDigest hasher = present ? Digest.newHasher() : null;
    List<BodyCheck> checks = new ArrayList<>();
    for (OwnHash o : own) {
      checks.add(check(o.file(), o.alias()).orElseThrow());
    }
    BlobWriter writer = present ? null : storage.blobs().newWriter();
    try {
      long left = size;
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          throw refused("blob " + d + " ends early");
        }
        for (BodyCheck c : checks) {
          c.update(buffer, 0, n);
        }
        if (present) {
          hasher.update(buffer, 0, n);
        } else {
          writer.write(ByteBuffer.wrap(buffer, 0, n));
        }
        left -= n;
      }
      for (int i = 0; i < checks.size(); i++) {
        String why = checks.get(i).unreadable();
        if (why == null) {
          why = checks.get(i).mismatch(); // the size was checked against the listing already
        }
        if (why != null) {
          OwnHash o = own.get(i);
          throw refused(o.file().repo() + "/" + o.file().path() + " " + d + " is not the file its signed index"
              + " names by " + o.alias() + ": " + why);
        }
      }
      if (present) {
        if (!Digest.of(hasher.digest()).equals(d)) {
          throw refused("blob " + d + " does not have that digest");
        }
        s.present++;
      } else {
        writer.commit(d, size);
        s.created.add(d);
      }
      s.bytes += size;
    } finally {
      if (writer != null) {
        writer.close();
      }
    }
  }

  /** Keeps what a verified listing says of the packages the bundle holds under it. */
  private void readListing(Staged s, Manifest.FileEntry f, Digest d) throws IOException {
    String key = f.repo() + " " + d.hex();
    if (s.named.containsKey(key)) {
      return;
    }
    Set<String> wanted = s.wanted.getOrDefault(key, Set.of());
    Map<String, ListedFile> named = new HashMap<>();
    try (ListingReader reader = format(f.repo()).openListing(f.path(),
        new BlobInputStream(storage.blobs().open(d)))) {
      for (ListedFile lf = reader.next(); lf != null; lf = reader.next()) {
        if (wanted.contains(lf.path())) {
          named.put(lf.path(), lf);
        }
      }
    } catch (IndexParseException e) {
      throw refused("listing " + f.repo() + "/" + f.path() + " does not parse: " + e.getMessage());
    }
    s.named.put(key, named);
  }

  private void rollback(Staged s) {
    for (Digest d : s.created) {
      try {
        storage.blobs().delete(d);
      } catch (IOException | RuntimeException e) {
        // Unreferenced and verified content: harmless, and gc takes it; keep undoing the rest.
      }
    }
  }

  // ---- pass 2: the whole bundle verified; make it visible, pins last

  private Report publish(Staged s) throws IOException {
    Instant now = clock.instant();
    int observations = 0;
    int signatures = 0;
    for (Manifest.RootEntry r : s.manifest.roots()) {
      RootIndex index = s.verified.get(r.repo() + " " + r.digest()).withEstimate(instant(r.publishedAt()));
      Digest digest = Digest.sha256(r.digest());
      Instant first = instant(r.firstFetchedAt());
      Instant last = instant(r.lastFetchedAt());
      Optional<Generation> before = storage.observations().byDigest(r.repo(), r.path(), digest);
      if (before.isEmpty() || before.get().firstFetchedAt().isAfter(first)) {
        storage.observations().record(index.observation(r.repo(), first, Observation.Source.IMPORT));
        observations++;
      }
      if (before.isEmpty() || before.get().lastFetchedAt().isBefore(last)) {
        storage.observations().record(index.observation(r.repo(), last, Observation.Source.IMPORT));
        observations++;
      }
      if (r.signature() != null) {
        String ref = Formats.signatureRef(r.path(), digest);
        Digest sig = Digest.sha256(r.signature());
        if (!storage.refs().get(r.repo(), ref).map(Ref::digest).filter(sig::equals).isPresent()) {
          storage.refs().put(new Ref(r.repo(), ref, sig, now));
          signatures++;
        }
      }
    }
    int indexed = 0;
    for (Manifest.FileEntry f : s.listings.values()) {
      Digest d = Digest.sha256(f.digest());
      if (!storage.paths().isIndexed(f.repo(), d)) {
        try {
          Listings.index(storage.paths(), f.repo(), d,
              format(f.repo()).openListing(f.path(), new BlobInputStream(storage.blobs().open(d))));
        } catch (IndexParseException e) {
          throw new BundleException(BundleException.Kind.INTEGRITY, "index " + f.repo() + "/" + f.path() + ": "
              + e.getMessage(), e);
        }
        indexed++;
      }
    }
    int aliases = 0;
    for (Named n : s.packageAliases) {
      for (Alias a : n.listed().aliases()) {
        if (storage.aliases().resolve(a).isEmpty()) {
          storage.aliases().put(a, n.digest());
          aliases++;
        }
      }
    }
    int added = 0;
    int unchanged = 0;
    List<String> conflicts = new ArrayList<>();
    for (Manifest.PinEntry p : s.manifest.pins()) {
      Pin wanted = new Pin(p.repo(), p.root(), instant(p.from()), instant(p.to()), Digest.sha256(p.generation()),
          Pin.Status.valueOf(p.status()), instant(p.pinnedAt()));
      List<Pin> overlapping = storage.pins().list(p.repo()).stream()
          .filter(e -> e.root().equals(p.root()) && !e.to().isBefore(wanted.from()) && !e.from().isAfter(wanted.to()))
          .toList();
      Optional<Pin> other = overlapping.stream().filter(e -> !e.generation().equals(wanted.generation())).findFirst();
      if (other.isPresent()) {
        conflicts.add(p.repo() + "/" + p.root() + " [" + wanted.from() + ", " + wanted.to() + "]: the bundle pins "
            + wanted.generation() + ", this store pinned " + other.get().generation() + " for ["
            + other.get().from() + ", " + other.get().to() + "] at " + other.get().pinnedAt() + "; kept the store's");
        continue;
      }
      if (overlapping.stream().anyMatch(e -> !e.from().isAfter(wanted.from()) && !e.to().isBefore(wanted.to()))) {
        unchanged++;
        continue;
      }
      storage.pins().putIfAbsent(wanted, wanted.from());
      storage.pins().putIfAbsent(wanted, wanted.to());
      added++;
    }
    return new Report(s.created.size(), s.present, s.bytes, observations, signatures, indexed, aliases, added,
        unchanged, conflicts);
  }

  // ---- helpers

  private Format format(String repo) throws BundleException {
    Format f = formats.get(repo);
    if (f == null) {
      throw new BundleException(BundleException.Kind.USAGE, "import refused, nothing imported: the bundle holds"
          + " repository " + repo + ", which is not configured here (its keyring is needed to verify it)");
    }
    return f;
  }

  private static void need(Staged s, String hex, String what) throws BundleException {
    if (hex == null || !s.blobs.containsKey(hex)) {
      throw refused("manifest: " + what + " " + hex + " is not among its blobs");
    }
  }

  private static Digest digest(String hex) throws BundleException {
    try {
      return Digest.sha256(hex);
    } catch (IllegalArgumentException e) {
      throw refused("manifest: " + e.getMessage());
    }
  }

  private static Instant instant(String s) throws BundleException {
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException | NullPointerException e) {
      throw refused("manifest: not a time: " + s);
    }
  }

  private static BundleException refused(String why) {
    return new BundleException(BundleException.Kind.INTEGRITY, "import refused, nothing imported: " + why);
  }

  private static String message(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static InputStream nonClosing(InputStream in) {
    return new java.io.FilterInputStream(in) {
      @Override
      public void close() {
        // the caller owns the stream
      }
    };
  }

  /** The detached signature role of a blob. */
  private record SignatureRef(Manifest.RootEntry root) {}

  /** A package its listing names by the format's own hash only (apk's Q1), to check as it streams. */
  private record OwnHash(Manifest.FileEntry file, Alias alias) {}

  /** A package as its listing names it (for its aliases). */
  private record Named(ListedFile listed, Digest digest) {}

  /** Everything the first pass learnt. */
  private static final class Staged {
    Manifest manifest;
    final Map<String, Manifest.BlobEntry> blobs = new HashMap<>();
    final Map<String, List<Object>> refs = new HashMap<>();
    final Map<String, Manifest.RootEntry> rootsByKey = new HashMap<>();
    final Map<String, Manifest.FileEntry> listings = new LinkedHashMap<>();
    final Map<String, Set<String>> wanted = new HashMap<>();
    final Set<String> seen = new HashSet<>();
    final Map<String, byte[]> signatures = new HashMap<>();
    final Map<String, RootIndex> verified = new HashMap<>();
    final Map<String, Map<String, ListedFile>> named = new HashMap<>();
    final List<Named> packageAliases = new ArrayList<>();
    final List<Digest> created = new ArrayList<>();
    final Map<String, List<OwnHash>> checks = new HashMap<>();
    int present;
    long bytes;

    List<Object> refs(String hex) {
      return refs.computeIfAbsent(hex, k -> new ArrayList<>());
    }
  }
}
