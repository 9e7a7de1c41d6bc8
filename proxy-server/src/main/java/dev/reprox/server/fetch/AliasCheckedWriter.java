package dev.reprox.server.fetch;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Aliases;
import dev.reprox.storage.BlobInfo;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.Digest;
import dev.reprox.storage.SizeMismatchException;
import dev.reprox.storage.TailReader;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A {@link BlobWriter} for a body its signed index names by an {@link Alias} instead of a SHA-256:
 * every piece is shown to {@link #observe} as it streams, and {@link #commit} makes the blob
 * visible only when {@link #mismatch} finds nothing wrong; then the alias is recorded for the
 * blob's SHA-256. On a mismatch the write is cancelled (tails fail, clients are cut) and nothing is
 * stored. Subclasses say only how the alias is computed.
 */
abstract class AliasCheckedWriter implements BlobWriter {
  private final BlobWriter delegate;
  private final Aliases aliases;
  final Alias expected;
  final String what;

  AliasCheckedWriter(BlobWriter delegate, Aliases aliases, Alias expected, String what) {
    this.delegate = delegate;
    this.aliases = aliases;
    this.expected = expected;
    this.what = what;
  }

  /** Sees each piece after it was written; {@code piece} is the caller's view, free to consume. */
  abstract void observe(ByteBuffer piece);

  /**
   * Null when the body is what the index names; else the reason. Checks the size with
   * {@link #requireSize} at the point its own order demands.
   */
  abstract String mismatch(long expectedSize) throws SizeMismatchException;

  final void requireSize(long expectedSize) throws SizeMismatchException {
    if (expectedSize >= 0 && delegate.written() != expectedSize) {
      throw new SizeMismatchException(expectedSize, delegate.written());
    }
  }

  @Override
  public final void write(ByteBuffer src) throws IOException {
    ByteBuffer copy = src.duplicate();
    delegate.write(src);
    observe(copy);
  }

  @Override
  public final long written() {
    return delegate.written();
  }

  @Override
  public final BlobInfo commit(Digest expectedDigest, long expectedSize, Committed beforeTails) throws IOException {
    return commit(expectedDigest, expectedSize, Verified.NONE, beforeTails);
  }

  /** {@code verified} is told once the alias check here and the store's checks have passed. */
  @Override
  public final BlobInfo commit(Digest expectedDigest, long expectedSize, Verified verified, Committed beforeTails)
      throws IOException {
    String reason;
    try {
      reason = mismatch(expectedSize);
    } catch (SizeMismatchException e) {
      delegate.cancel();
      throw e;
    }
    if (reason != null) {
      delegate.cancel();
      throw new FormatCheckedWriter.ControlMismatchException("check " + what + ": " + reason, null);
    }
    // The alias goes in once the blob is durable, so it never names a blob whose commit failed;
    // a client released at the digest check that asks by the alias in between finds none yet.
    return delegate.commit(expectedDigest, expectedSize, verified, info -> {
      aliases.put(expected, info.digest());
      beforeTails.accept(info);
    });
  }

  @Override
  public final void cancel() {
    delegate.cancel();
  }

  @Override
  public final TailReader tail() {
    return delegate.tail();
  }

  @Override
  public final void close() {
    delegate.close();
  }
}
