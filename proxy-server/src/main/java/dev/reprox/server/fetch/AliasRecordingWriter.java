package dev.reprox.server.fetch;

import static dev.reprox.server.LogSafe.escape;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Aliases;
import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.TailReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BlobWriter} for a body checked by its SHA-256 that should also be found by other hashes
 * (a .deb by the SHA-1 snapshot.debian.org addresses it by, and by the MD5 / SHA-512 its Packages
 * names): each kind is computed from the very bytes that stream into the blob, and recorded as an
 * alias only after {@link #commit} with an expected SHA-256 succeeded. An alias therefore never
 * points at bytes it was not computed from, and nothing is recorded for a body that failed its
 * check (the commit throws first).
 */
final class AliasRecordingWriter implements BlobWriter {
  private static final Logger log = LoggerFactory.getLogger(AliasRecordingWriter.class);

  private final BlobWriter delegate;
  private final Aliases aliases;
  private final String what;
  private final Map<Alias.Kind, MessageDigest> hashes = new EnumMap<>(Alias.Kind.class);

  /** {@code kinds}: whole-file hashes only (SHA1, MD5, SHA512); {@code APK_Q1} is ignored. */
  AliasRecordingWriter(BlobWriter delegate, Aliases aliases, Set<Alias.Kind> kinds, String what) {
    this.delegate = delegate;
    this.aliases = aliases;
    this.what = what;
    for (Alias.Kind kind : kinds) {
      String algorithm = switch (kind) {
        case SHA1 -> "SHA-1";
        case MD5 -> "MD5";
        case SHA512 -> "SHA-512";
        case APK_Q1 -> null;
      };
      if (algorithm != null) {
        try {
          hashes.put(kind, MessageDigest.getInstance(algorithm));
        } catch (NoSuchAlgorithmException e) {
          throw new IllegalStateException("every JVM has " + algorithm, e);
        }
      }
    }
  }

  @Override
  public void write(ByteBuffer src) throws IOException {
    ByteBuffer copy = src.duplicate();
    delegate.write(src);
    for (MessageDigest h : hashes.values()) {
      h.update(copy.duplicate());
    }
  }

  @Override
  public long written() {
    return delegate.written();
  }

  @Override
  public BlobInfo commit(Digest expectedDigest, long expectedSize, Committed beforeTails) throws IOException {
    return commit(expectedDigest, expectedSize, Verified.NONE, beforeTails);
  }

  @Override
  public BlobInfo commit(Digest expectedDigest, long expectedSize, Verified verified, Committed beforeTails)
      throws IOException {
    // Throws on a mismatch: nothing recorded. The aliases go in once the blob is durable, so
    // none points at a blob whose commit then failed.
    return delegate.commit(expectedDigest, expectedSize, verified, info -> {
      if (expectedDigest != null) { // only a body that passed its SHA-256 check gets aliases
        record(info);
      }
      beforeTails.accept(info);
    });
  }

  private void record(BlobInfo info) {
    for (Map.Entry<Alias.Kind, MessageDigest> h : hashes.entrySet()) {
      Alias alias = new Alias(h.getKey(), h.getValue().digest());
      try {
        aliases.put(alias, info.digest());
      } catch (IOException | RuntimeException e) {
        // The blob is stored and correct; a missing alias only costs a later upstream fetch.
        log.warn("record alias {} of {} ({}): {}", alias, info.digest(), escape(what), escape(e));
      }
    }
  }

  @Override
  public void cancel() {
    delegate.cancel();
  }

  @Override
  public TailReader tail() {
    return delegate.tail();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
