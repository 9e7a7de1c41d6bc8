package dev.reprox.server.bundle;

import dev.reprox.pinning.Format;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.pinning.PathKind;
import dev.reprox.pinning.RootGroup;
import dev.reprox.pinning.RootIndex;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.server.bundle.BundleExport.Selection;
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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What goes into a bundle ({@link BundleExport}): reads the pins of each selection, verifies the
 * generations they answer with, and walks their listings for what the store holds, into a
 * {@link Manifest} whose blobs are in archive order. Reads metadata and listings only; no blob
 * body but a root's is read here.
 */
final class BundlePlanner {
  /** A root index is read whole to be parsed; anything this large is not one. */
  static final int MAX_ROOT_BYTES = 64 << 20;

  private final Storage storage;
  private final Map<String, Format> formats;

  BundlePlanner(Storage storage, Map<String, Format> formats) {
    this.storage = storage;
    this.formats = formats;
  }

  /**
   * The manifest of the bundle for {@code selections}, stamped {@code now}.
   *
   * @throws BundleException (kind {@code NOT_FOUND}) when a selection has no pin or a pinned
   *     generation's bytes are not stored
   */
  Manifest manifest(List<Selection> selections, Instant now) throws IOException {
    return plan(selections).manifest(now);
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
      if (f.sha256() == null && format.classify(f.path()) == PathKind.PACKAGE) {
        addOwnHashPackage(plan, format, repo, f, digest);
        continue;
      }
      // A dnf repomd.xml may name its files by sha512 or sha1 only: the blob its checked fill stored.
      Optional<Digest> sha256 = sha256Of(f);
      Optional<BlobInfo> stored = sha256.isEmpty() ? Optional.empty() : storage.blobs().stat(sha256.get());
      if (stored.isEmpty() || stored.get().size() != f.size() && f.sha256() == null) {
        continue;
      }
      boolean listing = format.classify(f.path()) == PathKind.LISTING;
      plan.file(new Manifest.FileEntry(repo, f.path(), sha256.get().hex(), f.size(),
          listing ? Manifest.FileEntry.LISTING : Manifest.FileEntry.INDEX, digest.hex()));
      plan.blob(Phase.INDEX, sha256.get(), stored.get().size());
      if (listing && plan.listingsDone.add(repo + " " + sha256.get().hex())) {
        addPackages(plan, format, repo, f.path(), sha256.get());
      }
    }
  }

  /**
   * A package its root names by a hash of the format's own and size only (apk: the APKINDEX, root
   * and only listing at once, names packages by {@code C:Q1}): found through the alias the fetch
   * path recorded after its check ({@link Format#bodyCheck}); import runs that check again.
   */
  private void addOwnHashPackage(Plan plan, Format format, String repo, ListedFile f, Digest root) throws IOException {
    Alias own = f.aliases().get(0);
    if (format.bodyCheck(own, repo + "/" + f.path()).isEmpty() && WholeFileCheck.of(own).isEmpty()) {
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

  /**
   * {@code f}'s SHA-256, else the one it was stored under when named by another whole-file digest
   * only ({@link ListedFile#knownSha256}: its checked fill recorded the alias); empty for apk's Q1,
   * which {@link #addOwnHashPackage} handles.
   */
  private Optional<Digest> sha256Of(ListedFile f) throws IOException {
    return f.sha256() == null && f.aliases().get(0).kind() == Alias.Kind.APK_Q1 ? Optional.empty()
        : f.knownSha256(storage.aliases());
  }

  private void addPackages(Plan plan, Format format, String repo, String path, Digest listing) throws IOException {
    try (ListingReader reader = format.openListing(path, new BlobInputStream(storage.blobs().open(listing)))) {
      for (ListedFile f = reader.next(); f != null; f = reader.next()) {
        // dnf's primary may name an rpm by sha512 or sha1 only: the blob its checked fill stored.
        Optional<Digest> sha256 = sha256Of(f);
        Optional<BlobInfo> stored = sha256.isEmpty() ? Optional.empty() : storage.blobs().stat(sha256.get());
        if (stored.isPresent() && stored.get().size() == f.size()) {
          plan.file(new Manifest.FileEntry(repo, f.path(), sha256.get().hex(), f.size(), Manifest.FileEntry.PACKAGE,
              listing.hex()));
          plan.blob(Phase.PACKAGE, sha256.get(), stored.get().size());
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

  /** The archive order: everything a blob is checked against comes before it. */
  private enum Phase { SIGNATURE, ROOT, INDEX, PACKAGE }

  private static final class Plan {
    final List<Pin> pins = new ArrayList<>();
    final List<Manifest.RootEntry> roots = new ArrayList<>();
    final Set<Manifest.FileEntry> files = new LinkedHashSet<>();
    final Set<String> rootsDone = new HashSet<>();
    final Set<String> listingsDone = new HashSet<>();
    final Map<Digest, Long> sizes = new HashMap<>();
    final Map<Phase, Set<Digest>> order = new EnumMap<>(Phase.class);

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
  }}
