package dev.reprox.pinning.apt;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.pinning.ListingSource;
import dev.reprox.pinning.PathKind;
import dev.reprox.pinning.RootGroup;
import dev.reprox.pinning.RootIndex;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.pgp.SignatureVerifier;
import dev.reprox.pinning.pgp.Signer;
import dev.reprox.pinning.pgp.Verification;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@link AptFormat} over a {@link SignatureVerifier} (or none, for an unverified repository). */
final class DefaultAptFormat implements AptFormat {
  private final SignatureVerifier verifier;

  DefaultAptFormat(SignatureVerifier verifier) {
    this.verifier = verifier;
  }

  @Override
  public String name() {
    return "apt";
  }

  @Override
  public PathKind classify(String path) {
    return AptPaths.classify(path);
  }

  @Override
  public Optional<RootGroup> rootGroup(String path) {
    PathKind kind = classify(path);
    if (kind != PathKind.ROOT_INDEX && kind != PathKind.DETACHED_SIGNATURE) {
      return Optional.empty();
    }
    String dir = AptPaths.directory(path);
    return Optional.of(new RootGroup(Optional.of(dir + "InRelease"), Optional.of(dir + "Release"),
        Optional.of(dir + "Release.gpg")));
  }

  @Override
  public ReleaseFile release(String path, byte[] bytes, byte[] detachedSignature)
      throws SignatureInvalidException, IndexParseException {
    return ReleaseFile.parse(unwrap(verifier, path, bytes, detachedSignature).content());
  }

  @Override
  public RootIndex verifyRoot(String path, byte[] bytes, byte[] detachedSignature)
      throws SignatureInvalidException, IndexParseException {
    if (classify(path) != PathKind.ROOT_INDEX) {
      throw new IndexParseException("verify root " + path + ": not an apt root index path");
    }
    Verified v = unwrap(verifier, path, bytes, detachedSignature);
    ReleaseFile release;
    try {
      release = ReleaseFile.parse(v.content());
    } catch (IndexParseException e) {
      throw new IndexParseException(path + ": " + e.getMessage(), e);
    }
    String dir = AptPaths.directory(path);
    Map<String, ListedFile> files = new LinkedHashMap<>();
    for (ListedFile f : release.files().values()) {
      String full = dir + f.path();
      files.put(full, new ListedFile(full, f.size(), f.sha256(), f.aliases()));
    }
    List<String> signers = v.verification() == null ? List.of()
        : v.verification().signers().stream().map(Signer::primaryFingerprint).distinct().toList();
    return new RootIndex(path, Digest.compute(bytes), Digest.compute(v.content()), release.publishedAt(), false,
        v.verification() != null, signers, release.validUntil(), files, release.acquireByHash());
  }

  @Override
  public ListingReader openListing(String path, InputStream in) throws IOException {
    return AptListings.open(path, in);
  }

  @Override
  public Optional<Digest> byHash(String path) {
    if (classify(path) != PathKind.BY_HASH) {
      return Optional.empty();
    }
    return Optional.of(Digest.sha256(AptPaths.fileName(path)));
  }

  @Override
  public List<ListingSource> listingsNaming(RootIndex root, String path) {
    return AptListingChoice.naming(root, path);
  }

  @Override
  public List<ListingSource> listings(RootIndex root) {
    return AptListingChoice.all(root);
  }

  @Override
  public Set<Alias.Kind> packageAliasKinds() {
    return Set.of(Alias.Kind.SHA1);
  }

  /** Shared by the implementation: verify or (without a keyring) just unwrap a root index. */
  private static Verified unwrap(SignatureVerifier verifier, String path, byte[] bytes, byte[] detachedSignature)
      throws SignatureInvalidException {
    boolean inline = AptPaths.fileName(path).equals("InRelease");
    if (verifier == null) {
      return new Verified(inline ? SignatureVerifier.unverifiedCleartext(bytes) : bytes, null);
    }
    if (inline) {
      Verification v = verifier.verifyClearsigned(bytes);
      return new Verified(v.content(), v);
    }
    if (detachedSignature == null) {
      throw new SignatureInvalidException(SignatureInvalidException.Kind.MALFORMED,
          "verify " + path + ": no detached signature (" + path + ".gpg) given");
    }
    Verification v = verifier.verifyDetached(bytes, detachedSignature);
    return new Verified(v.content(), v);
  }

  /** The signed payload and, when checked, the verification. */
  private record Verified(byte[] content, Verification verification) {}
}
