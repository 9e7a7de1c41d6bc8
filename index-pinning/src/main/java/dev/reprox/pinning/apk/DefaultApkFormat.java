package dev.reprox.pinning.apk;

import dev.reprox.pinning.BodyCheck;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingReader;
import dev.reprox.pinning.PathKind;
import dev.reprox.pinning.RootGroup;
import dev.reprox.pinning.RootIndex;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@link ApkFormat} over an {@link ApkIndexVerifier} (or none, for an unverified repository). */
final class DefaultApkFormat implements ApkFormat {
  static final String ROOT = "APKINDEX.tar.gz";
  /** Larger than any real APKINDEX (Alpine edge community is a few MB), smaller than trouble. */
  private static final int MAX_ROOT = 64 * 1024 * 1024;

  private final ApkIndexVerifier verifier;
  private final Clock clock;

  DefaultApkFormat(ApkIndexVerifier verifier, Clock clock) {
    this.verifier = verifier;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "apk";
  }

  @Override
  public PathKind classify(String path) {
    String file = fileName(path);
    if (file.equals(ROOT)) {
      return PathKind.ROOT_INDEX;
    }
    return file.endsWith(".apk") && file.length() > 4 ? PathKind.PACKAGE : PathKind.OTHER;
  }

  @Override
  public Optional<RootGroup> rootGroup(String path) {
    return classify(path) == PathKind.ROOT_INDEX
        ? Optional.of(new RootGroup(Optional.of(path), Optional.empty(), Optional.empty()))
        : Optional.empty();
  }

  @Override
  public RootIndex verifyRoot(String path, byte[] bytes, byte[] detachedSignature)
      throws SignatureInvalidException, IndexParseException {
    if (classify(path) != PathKind.ROOT_INDEX) {
      throw new IndexParseException("verify root " + path + ": not an apk root index path");
    }
    ApkIndex index = verifier == null ? ApkIndex.parse(bytes, path) : verifier.verify(bytes, path);
    Map<String, ListedFile> files = new LinkedHashMap<>();
    try (ApkIndexReader reader = index.entries(directory(path))) {
      for (ListedFile f = reader.next(); f != null; f = reader.next()) {
        files.put(f.path(), f);
      }
    } catch (IOException e) {
      throw new IndexParseException("parse " + path + ": " + e.getMessage(), e);
    }
    Optional<Instant> published = index.publishedAt();
    Digest digest = Digest.compute(bytes);
    List<String> signers = index.verifiedBy().map(s -> List.of(s.keyName())).orElse(List.of());
    return new RootIndex(path, digest, digest, published.orElseGet(clock::instant), published.isEmpty(),
        index.verifiedBy().isPresent(), signers, Optional.empty(), files);
  }

  /**
   * The APKINDEX is its own listing: reads it (bounded) and streams its records without checking
   * the signature again (the caller verified it as the root).
   */
  @Override
  public ListingReader openListing(String path, InputStream in) throws IOException {
    try (in) {
      byte[] bytes = in.readNBytes(MAX_ROOT + 1);
      if (bytes.length > MAX_ROOT) {
        throw new IOException("open listing " + path + ": larger than " + MAX_ROOT + " bytes");
      }
      return ApkIndex.parse(bytes, path).entries(directory(path));
    } catch (IndexParseException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  @Override
  public Optional<Digest> byHash(String path) {
    return Optional.empty();
  }

  @Override
  public Optional<BodyCheck> bodyCheck(Alias expected, String what) {
    return expected.kind() == Alias.Kind.APK_Q1 ? Optional.of(new ApkBodyCheck(expected, what)) : Optional.empty();
  }

  @Override
  public Set<Alias.Kind> bodyCheckKinds() {
    return Set.of(Alias.Kind.APK_Q1);
  }

  /** The APKINDEX of the package's directory: it names every package beside it. */
  @Override
  public Optional<String> rootNaming(String path) {
    return classify(path) == PathKind.PACKAGE ? Optional.of(directory(path) + ROOT) : Optional.empty();
  }

  static String fileName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  static String directory(String path) {
    return path.substring(0, path.lastIndexOf('/') + 1);
  }
}
