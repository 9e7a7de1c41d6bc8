package dev.reprox.pinning;

import dev.reprox.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

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
}
