package dev.reprox.pinning.apt;

import dev.reprox.pinning.PathKind;
import java.util.regex.Pattern;

/**
 * Classifies apt repository paths. A {@code Release} is a root only at suite level: the
 * component-level ones ({@code main/binary-amd64/Release}, {@code main/source/Release}) are
 * ordinary files listed by the suite's root.
 */
final class AptPaths {
  private static final Pattern BY_HASH = Pattern.compile(".*/by-hash/SHA256/[0-9a-fA-F]{64}");
  private static final Pattern PACKAGE = Pattern.compile(
      ".*\\.(deb|udeb|ddeb|dsc|changes|buildinfo|diff\\.gz|tar(\\.(gz|xz|bz2|zst|lzma))?|asc)");

  private AptPaths() {}

  static String fileName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  static String directory(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash + 1);
  }

  static PathKind classify(String path) {
    String name = fileName(path);
    String parent = fileName(directory(path).isEmpty() ? "" : directory(path).substring(0, directory(path).length() - 1));
    boolean componentLevel = parent.startsWith("binary-") || parent.equals("source") || parent.equals("i18n");
    if (name.equals("InRelease")) {
      return PathKind.ROOT_INDEX;
    }
    if (name.equals("Release")) {
      return componentLevel ? PathKind.SUB_INDEX : PathKind.ROOT_INDEX;
    }
    if (name.equals("Release.gpg")) {
      return PathKind.DETACHED_SIGNATURE;
    }
    // The substring first: the pattern's leading .* backtracks over every path a server is asked for.
    if (path.contains("/by-hash/SHA256/") && BY_HASH.matcher(path).matches()) {
      return PathKind.BY_HASH;
    }
    if (AptListings.isListing(name)) {
      return PathKind.LISTING;
    }
    if (path.startsWith("dists/")) {
      return PathKind.SUB_INDEX;
    }
    if (path.startsWith("pool/") || PACKAGE.matcher(name).matches()) {
      return PathKind.PACKAGE;
    }
    return PathKind.OTHER;
  }
}
