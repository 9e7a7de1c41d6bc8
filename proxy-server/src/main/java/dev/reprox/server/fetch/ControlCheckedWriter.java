package dev.reprox.server.fetch;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.apk.ApkControl;
import dev.reprox.pinning.apk.ApkControlHasher;
import dev.reprox.pinning.apk.ApkPackages;
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
 * A {@link BlobWriter} for an .apk that its APKINDEX names only by {@code C:Q1} (the SHA-1 of the
 * control member) and size: every piece also goes through {@link ApkPackages#controlHasher}, and
 * {@link #commit} makes the blob visible only when the control hash and the size match. On
 * success the Q1 is recorded as an alias of the blob's SHA-256, so a pinned request finds the
 * bytes through {@code aliases().resolve(q1)}. On a mismatch nothing is stored and the write is
 * cancelled (tails fail: the client's connection is cut).
 */
final class ControlCheckedWriter implements BlobWriter {
  private final BlobWriter delegate;
  private final Aliases aliases;
  private final Alias expected;
  private final ApkControlHasher hasher;
  private final String what;
  // A body that is no apk at all (bad gzip, no .PKGINFO) is reported at commit, so it counts as an
  // integrity failure like any other mismatch; the remaining bytes are only counted meanwhile.
  private String broken;

  ControlCheckedWriter(BlobWriter delegate, Aliases aliases, Alias expected, String what) {
    this.delegate = delegate;
    this.aliases = aliases;
    this.expected = expected;
    this.what = what;
    this.hasher = ApkPackages.controlHasher(what);
  }

  /** {@code writer}, checked against the alias the request expects instead of a SHA-256; else unchanged. */
  static BlobWriter wrap(FetchRequest request, BlobWriter writer, Aliases aliases) {
    FetchRequest.Expected e = request.expected();
    if (e == null || e.sha256() != null || e.alias() == null) {
      return writer;
    }
    return e.alias().kind() == Alias.Kind.APK_Q1 ? new ControlCheckedWriter(writer, aliases, e.alias(), request.toString())
        : new DigestCheckedWriter(writer, aliases, e.alias(), request.toString());
  }

  @Override
  public void write(ByteBuffer src) throws IOException {
    ByteBuffer copy = src.duplicate();
    delegate.write(src);
    if (broken != null) {
      return;
    }
    // The hasher inflates only the first two gzip members; the rest is counted. A heap copy of a
    // direct buffer costs one piece at a time, never the body.
    int len = copy.remaining();
    byte[] piece;
    int off;
    if (copy.hasArray()) {
      piece = copy.array();
      off = copy.arrayOffset() + copy.position();
    } else {
      piece = new byte[len];
      copy.get(piece);
      off = 0;
    }
    try {
      hasher.update(piece, off, len);
    } catch (IndexParseException e) {
      broken = "not an apk: " + e.getMessage();
    }
  }

  @Override
  public long written() {
    return delegate.written();
  }

  @Override
  public BlobInfo commit(Digest expectedDigest, long expectedSize) throws IOException {
    if (broken != null) {
      delegate.cancel();
      throw new ControlMismatchException("check " + what + ": " + broken, null);
    }
    ApkControl control;
    try {
      control = hasher.finish();
    } catch (IndexParseException e) {
      delegate.cancel();
      throw new ControlMismatchException("check " + what + ": " + e.getMessage(), e);
    }
    if (expectedSize >= 0 && delegate.written() != expectedSize) {
      delegate.cancel();
      throw new SizeMismatchException(expectedSize, delegate.written());
    }
    if (!control.q1().equals(expected)) {
      delegate.cancel();
      throw new ControlMismatchException("check " + what + ": control hash " + control.q1() + ", the signed "
          + "APKINDEX says " + expected, null);
    }
    BlobInfo info = delegate.commit(expectedDigest, expectedSize);
    aliases.put(expected, info.digest());
    return info;
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

  /** The body is not the package the signed index names: nothing was stored. */
  static final class ControlMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    ControlMismatchException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
