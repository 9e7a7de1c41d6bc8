package dev.reprox.pinning;

/** What a request path is within a repository, as far as the trust chain is concerned. */
public enum PathKind {
  /** A signed root index (InRelease, Release, APKINDEX.tar.gz, repomd.xml): resolved per T. */
  ROOT_INDEX,
  /** A detached signature of a root index (Release.gpg, repomd.xml.asc): served with its root. */
  DETACHED_SIGNATURE,
  /** A sub-index that lists packages (Packages, Sources, primary): checked against the root, then parsed. */
  LISTING,
  /** Any other file the root index lists (Contents, Translation, component Release): checked against the root. */
  SUB_INDEX,
  /** A content-addressed path ({@code by-hash/SHA256/<h>}): served by digest. */
  BY_HASH,
  /** A package file (.deb, .apk, .rpm, source files): checked against a listing of the generation. */
  PACKAGE,
  /** Anything else: passed through live, never pinned. */
  OTHER
}
