package dev.reprox.server.trust;

import dev.reprox.config.RepositoryConfig;
import dev.reprox.config.ReproxConfig;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.RootIndex;
import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.server.fetch.SignedRepository;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Ref;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Stored root generations read back and parsed through their repository's format, as
 * {@link Roots#loadBlocking} does, for readers outside the serving path ({@code reprox gc}'s mark
 * phase). Keyrings are parsed on first use.
 */
public final class StoredRoots {
  private final Map<String, SignedRepository> repositories = new LinkedHashMap<>();

  private StoredRoots(ReproxConfig config, Clock clock) {
    for (RepositoryConfig r : config.repositories().values()) {
      repositories.put(r.name(), SignedRepository.of(r, clock));
    }
  }

  public static StoredRoots of(ReproxConfig config, Clock clock) {
    return new StoredRoots(config, clock);
  }

  /** True when {@code repo} is configured, so its roots can be parsed. */
  public boolean knows(String repo) {
    return repositories.containsKey(repo);
  }

  /** The ref that holds a detached root's signature (apt {@code Release.gpg}) for one generation. */
  public static String signatureRef(String root, Digest generation) {
    return Roots.signatureRef(root, generation);
  }

  /**
   * The stored generation {@code digest} of {@code repo}'s {@code root}, parsed (and verified
   * again: a parse is a verification in every format).
   *
   * @throws IOException when it is not stored, not parsable, or its signature does not verify
   */
  public RootIndex read(Storage storage, String repo, String root, Digest digest) throws IOException {
    SignedRepository r = repositories.get(repo);
    if (r == null) {
      throw new IOException("root " + repo + "/" + root + ": repository " + repo + " is not configured");
    }
    byte[] bytes = readAll(storage, digest, repo + "/" + root);
    byte[] signature = null;
    if (Roots.detachedSignature(r, root) != null) {
      Optional<Ref> sig = storage.refs().get(repo, signatureRef(root, digest));
      if (sig.isEmpty()) {
        throw new IOException("root " + repo + "/" + root + " " + digest + ": its detached signature is not stored");
      }
      signature = readAll(storage, sig.get().digest(), repo + "/" + root + " signature");
    }
    try {
      return r.format().verifyRoot(root, bytes, signature);
    } catch (SignatureInvalidException | IndexParseException e) {
      throw new IOException("root " + repo + "/" + root + " " + digest + ": " + e.getMessage(), e);
    }
  }

  private static byte[] readAll(Storage storage, Digest digest, String what) throws IOException {
    return Roots.readRoot(storage, digest, what);
  }
}
