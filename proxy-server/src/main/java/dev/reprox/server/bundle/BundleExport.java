package dev.reprox.server.bundle;

import com.github.luben.zstd.ZstdOutputStream;
import dev.reprox.pinning.Format;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.pinning.PathKind;
import dev.reprox.pinning.RootGroup;
import dev.reprox.pinning.RootIndex;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.server.fetch.BlobInputStream;
import dev.reprox.server.fetch.Formats;
import dev.reprox.storage.Alias;
import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobReader;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Generation;
import dev.reprox.storage.Pin;
import dev.reprox.storage.Ref;
import dev.reprox.storage.Storage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes a bundle (docs/bundle.md) for a set of pins: the pins of each (repo, T) asked for, the
 * generations they answer with (root bytes as fetched, detached signature, first and last fetch),
 * every file those roots list that the store holds, and every package those listings name that the
 * store holds. Metadata is planned first (it goes into the manifest, the first entry); blobs are
 * then streamed from the store chunk by chunk into one zstd-compressed tar, so memory stays
 * constant whatever the bundle's size (the plan holds one small record per blob).
 */
public final class BundleExport {
  /** A root index is read whole to be parsed; anything this large is not one. */
  static final int MAX_ROOT_BYTES = 64 << 20;
  private static final int COPY_BUFFER = 256 << 10;

  private final Storage storage;
  private final Map<String, Format> formats;
  private final Clock clock;

  /**
   * One (repository, T) whose pins go into the bundle; an {@code optional} one without a pin is
   * skipped instead of refused (a build label's repositories × its T values).
   */
  public record Selection(String repo, Instant at, boolean optional) {
    public Selection(String repo, Instant at) {
      this(repo, at, false);
    }
  }

  /**
   * A build label's selections: every distinct (repository, T) its persisted record holds, in
   * order, each optional (a pair without a pin is skipped); live answers have no T and add none.
   */
  public static List<Selection> forBuild(List<dev.reprox.storage.BuildEntry> entries) {
    Set<Selection> out = new LinkedHashSet<>();
    for (dev.reprox.storage.BuildEntry e : entries) {
      e.at().ifPresent(t -> out.add(new Selection(e.repo(), t, true)));
    }
    return new ArrayList<>(out);
  }

  /** What was written. */
  public record Summary(int pins, int roots, int files, int blobs, long blobBytes) {}

  public BundleExport(Storage storage, Map<String, Format> formats, Clock clock) {
    this.storage = storage;
    this.formats = Map.copyOf(formats);
    this.clock = clock;
  }

  /**
   * Plans the bundle for {@code selections} and streams it to {@code out} (not closed).
   *
   * @throws BundleException (kind {@code NOT_FOUND}) when a selection has no pin or a pinned
   *     generation's bytes are not stored, before anything is written
   */
  public Summary write(List<Selection> selections, OutputStream out) throws IOException {
    return prepare(selections).writeTo(out);
  }

  /**
   * Plans the bundle (reads metadata and listings, writes nothing), so that a caller can answer a
   * selection without a pin before it starts a response.
   */
  public Prepared prepare(List<Selection> selections) throws IOException {
    Manifest manifest = plan(selections).manifest(clock.instant());
    return out -> stream(manifest, out);
  }

  /** A planned bundle. */
  @FunctionalInterface
  public interface Prepared {
    /** Streams the bundle to {@code out} (not closed). */
    Summary writeTo(OutputStream out) throws IOException;
  }

  private Summary stream(Manifest manifest, OutputStream out) throws IOException {
    byte[] json = manifest.toJson();
    ZstdOutputStream zstd = new ZstdOutputStream(new BufferedOutputStream(nonClosing(out), COPY_BUFFER), 3);
    zstd.setChecksum(true); // a damaged stream fails in the decoder, before any hash is even asked
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(zstd)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      TarArchiveEntry first = new TarArchiveEntry(Manifest.ENTRY);
      first.setSize(json.length);
      first.setModTime(clock.millis());
      tar.putArchiveEntry(first);
      tar.write(json);
      tar.closeArchiveEntry();
      byte[] buffer = new byte[COPY_BUFFER];
      long bytes = 0;
      for (Manifest.BlobEntry b : manifest.blobs()) {
        TarArchiveEntry e = new TarArchiveEntry(Manifest.BLOB_PREFIX + b.digest());
        e.setSize(b.size());
        e.setModTime(clock.millis());
        tar.putArchiveEntry(e);
        copy(Digest.sha256(b.digest()), b.size(), tar, buffer);
        tar.closeArchiveEntry();
        bytes += b.size();
      }
      tar.finish();
      return new Summary(manifest.pins().size(), manifest.roots().size(), manifest.files().size(),
          manifest.blobs().size(), bytes);
    }
  }

  private void copy(Digest digest, long size, OutputStream to, byte[] buffer) throws IOException {
    try (BlobReader reader = storage.blobs().open(digest)) {
      if (reader.size() != size) {
        throw new BundleException(BundleException.Kind.STORE, "export: " + digest + " changed size while exporting");
      }
      ByteBuffer dst = ByteBuffer.wrap(buffer);
      long position = 0;
      while (position < size) {
        dst.clear();
        int n = reader.read(position, dst);
        if (n <= 0) {
          throw new BundleException(BundleException.Kind.STORE, "export: short read of " + digest + " at " + position);
        }
        to.write(buffer, 0, n);
        position += n;
      }
    }
  }

  private Plan plan(List<Selection> selections) throws IOException {
    Plan plan = new Plan();
    for (Selection s : selections) {
      Format format = formats.get(s.repo());
      if (format == null) {
        throw new BundleException(BundleException.Kind.USAGE, "export: no repository " + s.repo() + " is configured");
      }
      boolean any = false;
      for (Pin p : storage.pins().list(s.repo())) {
        if (p.covers(s.at())) {
          any = true;
          plan.pins.add(p);
          addRoot(plan, format, s.repo(), p.root(), p.generation());
        }
      }
      if (!any && !s.optional()) {
        throw new BundleException(BundleException.Kind.NOT_FOUND, "export: no pin of " + s.repo() + " covers "
            + s.at() + " (a T is pinned when a client first asks for it: request /" + s.repo() + "/@<T>/… once)");
      }
    }
    if (plan.pins.isEmpty()) {
      throw new BundleException(BundleException.Kind.NOT_FOUND, "export: no pin covers any of " + selections);
    }
    return plan;
  }

  private void addRoot(Plan plan, Format format, String repo, String root, Digest digest) throws IOException {
    if (!plan.rootsDone.add(repo + " " + root + " " + digest.hex())) {
      return;
    }
    Generation g = storage.observations().byDigest(repo, root, digest).orElseThrow(() -> new BundleException(
        BundleException.Kind.NOT_FOUND, "export: " + repo + "/" + root + " has no generation " + digest));
    Digest signature = null;
    Optional<RootGroup> group = format.rootGroup(root);
    if (group.isPresent() && group.get().detached().filter(root::equals).isPresent()) {
      // Absent when the repository publishes none (dnf with repo-gpgcheck: false): verifyRoot decides.
      signature = storage.refs().get(repo, Formats.signatureRef(root, digest)).map(Ref::digest).orElse(null);
      if (signature != null) {
        plan.blob(Phase.SIGNATURE, signature, stat(signature, repo + "/" + root + " signature").size());
      }
    }
    BlobInfo info = stat(digest, repo + "/" + root);
    if (info.size() > MAX_ROOT_BYTES) {
      throw new BundleException(BundleException.Kind.STORE, "export: root " + repo + "/" + root + " is "
          + info.size() + " bytes");
    }
    plan.blob(Phase.ROOT, digest, info.size());
    RootIndex index;
    try {
      index = format.verifyRoot(root, readAll(digest, (int) info.size()),
          signature == null ? null : readAll(signature, (int) stat(signature, "signature").size()));
    } catch (SignatureInvalidException | IndexParseException e) {
      throw new BundleException(BundleException.Kind.INTEGRITY, "export: stored root " + repo + "/" + root + " "
          + digest + " does not verify: " + e.getMessage());
    }
    index = index.withEstimate(g.publishedAt());
    plan.roots.add(new Manifest.RootEntry(repo, root, digest.hex(), signature == null ? null : signature.hex(),
        index.publishedAt().toString(), index.publishedEstimated(), g.firstFetchedAt().toString(),
        g.lastFetchedAt().toString()));
    for (ListedFile f : index.files().values()) {
      if (f.sha256() == null) {
        addOwnHashPackage(plan, format, repo, f, digest);
        continue;
      }
      Optional<BlobInfo> stored = storage.blobs().stat(f.sha256());
      if (stored.isEmpty()) {
        continue;
      }
      boolean listing = format.classify(f.path()) == PathKind.LISTING;
      plan.file(new Manifest.FileEntry(repo, f.path(), f.sha256().hex(), f.size(),
          listing ? Manifest.FileEntry.LISTING : Manifest.FileEntry.INDEX, digest.hex()));
      plan.blob(Phase.INDEX, f.sha256(), stored.get().size());
      if (listing && plan.listingsDone.add(repo + " " + f.sha256().hex())) {
        addPackages(plan, format, repo, f.path(), f.sha256());
      }
    }
  }

  /**
   * A package its root names by a hash of the format's own and size only (apk: the APKINDEX, root
   * and only listing at once, names packages by {@code C:Q1}): found through the alias the fetch
   * path recorded after its check ({@link Format#bodyCheck}); import runs that check again. Files
   * named by a plain other digest only (dnf's sha512-only {@code <checksum>}) are left out: import
   * has no check for them yet (docs/bundle.md).
   */
  private void addOwnHashPackage(Plan plan, Format format, String repo, ListedFile f, Digest root) throws IOException {
    Alias own = f.aliases().get(0);
    if (format.classify(f.path()) != PathKind.PACKAGE || format.bodyCheck(own, repo + "/" + f.path()).isEmpty()) {
      return;
    }
    Optional<Digest> digest = storage.aliases().resolve(own);
    Optional<BlobInfo> stored = digest.isEmpty() ? Optional.empty() : storage.blobs().stat(digest.get());
    if (stored.isPresent() && stored.get().size() == f.size()) {
      plan.file(new Manifest.FileEntry(repo, f.path(), digest.get().hex(), f.size(), Manifest.FileEntry.PACKAGE,
          root.hex()));
      plan.blob(Phase.PACKAGE, digest.get(), f.size());
    }
  }

  private void addPackages(Plan plan, Format format, String repo, String path, Digest listing) throws IOException {
    try (ListingReader reader = format.openListing(path, new BlobInputStream(storage.blobs().open(listing)))) {
      for (ListedFile f = reader.next(); f != null; f = reader.next()) {
        if (f.sha256() == null) {
          continue;
        }
        Optional<BlobInfo> stored = storage.blobs().stat(f.sha256());
        if (stored.isPresent()) {
          plan.file(new Manifest.FileEntry(repo, f.path(), f.sha256().hex(), f.size(), Manifest.FileEntry.PACKAGE,
              listing.hex()));
          plan.blob(Phase.PACKAGE, f.sha256(), stored.get().size());
        }
      }
    } catch (IndexParseException e) {
      throw new BundleException(BundleException.Kind.INTEGRITY, "export: stored listing " + repo + "/" + path + " "
          + listing + " does not parse: " + e.getMessage());
    }
  }

  private BlobInfo stat(Digest d, String what) throws IOException {
    return storage.blobs().stat(d).orElseThrow(() -> new BundleException(BundleException.Kind.NOT_FOUND,
        "export: " + what + " " + d + " is not stored"));
  }

  private byte[] readAll(Digest d, int size) throws IOException {
    byte[] out = new byte[size];
    try (BlobReader reader = storage.blobs().open(d)) {
      int position = 0;
      while (position < size) {
        int n = reader.read(position, ByteBuffer.wrap(out, position, size - position));
        if (n <= 0) {
          throw new BundleException(BundleException.Kind.STORE, "export: short read of " + d);
        }
        position += n;
      }
    }
    return out;
  }

  private static OutputStream nonClosing(OutputStream out) {
    return new java.io.FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        out.flush();
      }
    };
  }

  /** The archive order: everything a blob is checked against comes before it. */
  private enum Phase { SIGNATURE, ROOT, INDEX, PACKAGE }

  private static final class Plan {
    final List<Pin> pins = new ArrayList<>();
    final List<Manifest.RootEntry> roots = new ArrayList<>();
    final Set<Manifest.FileEntry> files = new LinkedHashSet<>();
    final Set<String> rootsDone = new java.util.HashSet<>();
    final Set<String> listingsDone = new java.util.HashSet<>();
    final Map<Digest, Long> sizes = new java.util.HashMap<>();
    final Map<Phase, Set<Digest>> order = new java.util.EnumMap<>(Phase.class);

    void blob(Phase phase, Digest d, long size) {
      if (sizes.putIfAbsent(d, size) == null) {
        order.computeIfAbsent(phase, k -> new LinkedHashSet<>()).add(d);
      }
    }

    void file(Manifest.FileEntry f) {
      files.add(f);
    }

    Manifest manifest(Instant now) {
      List<Manifest.BlobEntry> blobs = new ArrayList<>();
      for (Phase p : Phase.values()) {
        for (Digest d : order.getOrDefault(p, Set.of())) {
          blobs.add(new Manifest.BlobEntry(d.hex(), sizes.get(d)));
        }
      }
      Map<String, Manifest.PinEntry> pinEntries = new LinkedHashMap<>();
      for (Pin p : pins) {
        pinEntries.putIfAbsent(p.repo() + " " + p.root() + " " + p.from(), new Manifest.PinEntry(p.repo(), p.root(),
            p.from().toString(), p.to().toString(), p.generation().hex(), p.status().name(),
            p.pinnedAt().toString()));
      }
      return new Manifest(Manifest.FORMAT, Manifest.VERSION, now.toString(), roots, List.copyOf(files),
          List.copyOf(pinEntries.values()), blobs);
    }
  }
}
