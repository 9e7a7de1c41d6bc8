package dev.reprox.pinning.dnf;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.pinning.ListingSource;
import dev.reprox.pinning.PathKind;
import dev.reprox.pinning.RootGroup;
import dev.reprox.pinning.RootIndex;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.pgp.Signer;
import dev.reprox.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@link DnfFormat} over a {@link RepomdVerifier} (or none, for an unverified repository). */
final class DefaultDnfFormat implements DnfFormat {
  private static final String REPODATA = "repodata/";
  private static final String ROOT = "repomd.xml";
  private static final String SIGNATURE = "repomd.xml.asc";
  /** createrepo's hash-prefixed names; 64 hex digits is a SHA-256 (sha1 and sha512 prefixes differ in length). */
  private static final Pattern HASHED = Pattern.compile("([0-9a-f]{64})-[^/]+");
  // Compiled once: classify runs for every request of a dnf repository (String.matches compiles each time).
  private static final Pattern PRIMARY = Pattern.compile("(.*-)?primary\\.xml(\\.(gz|xz|zst|bz2))?");
  private static final Pattern SQLITE = Pattern.compile(".*\\.sqlite(\\.[a-z0-9]+)?$");

  private final RepomdVerifier verifier;
  private final Clock clock;
  private final boolean signatureRequired;

  DefaultDnfFormat(RepomdVerifier verifier, Clock clock, boolean signatureRequired) {
    this.verifier = verifier;
    this.clock = clock;
    this.signatureRequired = signatureRequired;
  }

  @Override
  public String name() {
    return "dnf";
  }

  @Override
  public PathKind classify(String path) {
    String file = path.substring(path.lastIndexOf('/') + 1);
    boolean inRepodata = path.equals(REPODATA + file) || path.endsWith("/" + REPODATA + file);
    if (inRepodata) {
      if (file.equals(ROOT)) {
        return PathKind.ROOT_INDEX;
      }
      if (file.equals(SIGNATURE)) {
        return PathKind.DETACHED_SIGNATURE;
      }
      if (PRIMARY.matcher(file).matches()) {
        return PathKind.LISTING;
      }
      return HASHED.matcher(file).matches() ? PathKind.BY_HASH : PathKind.SUB_INDEX;
    }
    return file.endsWith(".rpm") && file.length() > 4 ? PathKind.PACKAGE : PathKind.OTHER;
  }

  @Override
  public Optional<RootGroup> rootGroup(String path) {
    PathKind kind = classify(path);
    if (kind != PathKind.ROOT_INDEX && kind != PathKind.DETACHED_SIGNATURE) {
      return Optional.empty();
    }
    String dir = path.substring(0, path.lastIndexOf('/') + 1);
    return Optional.of(new RootGroup(Optional.empty(), Optional.of(dir + ROOT), Optional.of(dir + SIGNATURE)));
  }

  @Override
  public RootIndex verifyRoot(String path, byte[] bytes, byte[] detachedSignature)
      throws SignatureInvalidException, IndexParseException {
    if (classify(path) != PathKind.ROOT_INDEX) {
      throw new IndexParseException("verify root " + path + ": not a dnf root index path");
    }
    Repomd repomd;
    List<String> signers = List.of();
    boolean unsigned = detachedSignature == null || detachedSignature.length == 0;
    if (verifier == null || (unsigned && !signatureRequired)) {
      repomd = Repomd.parse(bytes, path);
    } else {
      RepomdVerifier.Verified v = verifier.verify(bytes, detachedSignature, path);
      repomd = v.repomd();
      signers = v.verification().signers().stream().map(Signer::primaryFingerprint).distinct().toList();
    }
    String prefix = repositoryRoot(path);
    Map<String, ListedFile> files = new LinkedHashMap<>();
    for (RepomdEntry e : repomd.entries()) {
      ListedFile f = e.toListedFile(prefix);
      files.putIfAbsent(f.path(), f);
    }
    Optional<Instant> published = repomd.publishedAt();
    Digest digest = Digest.compute(bytes);
    return new RootIndex(path, digest, digest, published.orElseGet(clock::instant), published.isEmpty(),
        !signers.isEmpty(), signers, Optional.empty(), files);
  }

  @Override
  public ListingReader openListing(String path, InputStream in) throws IOException {
    try {
      return PrimaryReader.open(in, repositoryRoot(path), path);
    } catch (IndexParseException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  @Override
  public Optional<Digest> byHash(String path) {
    if (classify(path) != PathKind.BY_HASH) {
      return Optional.empty();
    }
    Matcher m = HASHED.matcher(path.substring(path.lastIndexOf('/') + 1));
    return m.matches() ? Optional.of(Digest.sha256(m.group(1))) : Optional.empty();
  }

  /** The {@code primary} listings the repomd.xml names: every package of the repository is in one. */
  @Override
  public List<ListingSource> listingsNaming(RootIndex root, String path) {
    return listings(root);
  }

  /**
   * Every primary repomd.xml names, whatever hash it names it by: with {@code --repomd-checksum
   * sha512} (or an old yum's {@code sha}) repomd gives no SHA-256, and the listing is checked
   * against the hash it does give (docs/decisions.md).
   */
  @Override
  public List<ListingSource> listings(RootIndex root) {
    return root.files().values().stream()
        .filter(f -> classify(f.path()) == PathKind.LISTING)
        .map(f -> new ListingSource(f, f.path()))
        .toList();
  }

  /**
   * Every file repomd.xml names (by SHA-256 or, {@code --repomd-checksum}, another hash) but
   * primary (a listing, fetched on its own) and the sqlite databases (dnf reads the XML; yum's
   * {@code *_db} would only double the bytes): dnf downloads filelists, comps, updateinfo and
   * modules with the metadata, and some of "other"'s users ({@code dnf changelog}) the rest.
   */
  @Override
  public List<ListedFile> clientMetadata(RootIndex root) {
    return root.files().values().stream()
        .filter(f -> classify(f.path()) != PathKind.LISTING && !SQLITE.matcher(f.path()).matches())
        .toList();
  }

  /** The repository path before {@code repodata/}: hrefs in repomd.xml and primary.xml are relative to it. */
  static String repositoryRoot(String path) {
    int at = path.lastIndexOf(REPODATA);
    return at < 0 ? path.substring(0, path.lastIndexOf('/') + 1) : path.substring(0, at);
  }
}
