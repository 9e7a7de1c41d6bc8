package dev.reprox.pinning;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One repository format (apt, apk, dnf) bound to one repository's trust anchor (its keyring): the
 * proxy asks it what a path is, has it verify and parse root indexes, and has it stream listings.
 * Implementations are immutable and thread-safe; verification and parsing are CPU work, so callers
 * run them off the event loop.
 */
public interface Format {
  /** {@code apt}, {@code apk} or {@code dnf}. */
  String name();

  /** What {@code path} (repository-relative, no leading slash) is in the trust chain. */
  PathKind classify(String path);

  /**
   * For a {@link PathKind#ROOT_INDEX} or {@link PathKind#DETACHED_SIGNATURE} path, every path that
   * publishes the same generation; empty for other paths.
   */
  Optional<RootGroup> rootGroup(String path);

  /**
   * Verifies and parses a root index. {@code detachedSignature} is required for a detached root
   * (apt {@code Release}) and ignored otherwise. A repository without a keyring parses without
   * verifying and returns {@code verified=false}.
   *
   * @throws SignatureInvalidException when the signature check fails, with the reason's kind
   * @throws IndexParseException when the (verified) content cannot be parsed
   */
  RootIndex verifyRoot(String path, byte[] bytes, byte[] detachedSignature)
      throws SignatureInvalidException, IndexParseException;

  /**
   * A streaming reader of the package files that the {@link PathKind#LISTING} at {@code path}
   * names; owns and closes {@code in}.
   */
  ListingReader openListing(String path, InputStream in) throws IOException;

  /** The digest a {@link PathKind#BY_HASH} path names; empty for other paths. */
  Optional<Digest> byHash(String path);

  /**
   * The listings of {@code root} that could name the {@link PathKind#PACKAGE} {@code path}, in the
   * order to fetch them (the likeliest first; one variant per listing, the cheapest to read), so a
   * proxy that never saw the client fetch them can complete the chain itself. A listing the root
   * names by another hash only (dnf's repomd.xml by sha512 or sha1) has a null SHA-256 and that
   * hash as its alias. Empty when the root names the packages itself (apk) or none could.
   */
  default List<ListingSource> listingsNaming(RootIndex root, String path) {
    return List.of();
  }

  /**
   * How likely {@code root} is to name the {@link PathKind#PACKAGE} {@code path}, to order the roots
   * whose listings are fetched when several could name it (apt: bookworm and bookworm-updates both
   * list main), the likeliest first; 0: none of its listings could. By default the size of the
   * listings that could ({@link #listingsNaming}): the larger a suite, the likelier it holds the
   * package, so the updates suite's small listing is not fetched ahead of the release's.
   */
  default long namingWeight(RootIndex root, String path) {
    return listingsNaming(root, path).stream().mapToLong(s -> Math.max(0, s.listing().size())).sum();
  }

  /**
   * Every listing {@code root} names, one variant each (chosen as {@link #listingsNaming} does),
   * for a proxy that indexes a whole generation ahead of requests (a watch with listings), named
   * by SHA-256 or, as {@link #listingsNaming} says, another hash; empty when the root names the
   * packages itself (apk).
   */
  default List<ListingSource> listings(RootIndex root) {
    return List.of();
  }

  /**
   * The files besides its listings that a client of this format fetches once it has {@code root}
   * and before any package (dnf: repomd's filelists, comps, updateinfo, …, which dnf downloads
   * whatever it installs), so that a pre-warm stores them and an offline client finds them. Empty
   * by default: apt and apk clients need only the root and the listings.
   */
  default List<ListedFile> clientMetadata(RootIndex root) {
    return List.of();
  }

  /**
   * The root index that would name the {@link PathKind#PACKAGE} {@code path} when none was ever
   * fetched (apk: the {@code APKINDEX.tar.gz} of its directory); empty when the path does not say
   * (apt's suite, dnf's repodata location).
   */
  default Optional<String> rootNaming(String path) {
    return Optional.empty();
  }

  /**
   * Alias kinds recorded for a package body once its SHA-256 check passed, when its repository
   * has a snapshot server (the only reader): apt records SHA-1, the address snapshot.debian.org
   * serves files by ({@code /file/<sha1>}), which Debian's Packages no longer carry.
   */
  default Set<Alias.Kind> packageAliasKinds() {
    return Set.of();
  }

  /**
   * The check of a body its index names by {@code expected}, a hash of this format's own (apk:
   * {@code C:Q1}, the control member's SHA-1, plus the data part's SHA-256 it vouches for); empty
   * when a plain digest of the whole body is the check (SHA-1, SHA-512, MD5 aliases).
   * {@code what} names the body in messages.
   */
  default Optional<BodyCheck> bodyCheck(Alias expected, String what) {
    return Optional.empty();
  }

  /**
   * The alias kinds {@link #bodyCheck} answers for (apk: {@code APK_Q1}), so that a store scrub
   * can run the check again on every blob such an alias names without knowing the format; empty
   * when a plain digest of the whole body is the check.
   */
  default Set<Alias.Kind> bodyCheckKinds() {
    return Set.of();
  }
}
