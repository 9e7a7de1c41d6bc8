package dev.reprox.server.fetch;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.apk.ApkControl;
import dev.reprox.pinning.apk.ApkControlHasher;
import dev.reprox.pinning.apk.ApkPackages;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Aliases;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.SizeMismatchException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * A {@link BlobWriter} for an .apk that its APKINDEX names only by {@code C:Q1} (the SHA-1 of the
 * control member) and size: every piece also goes through {@link ApkPackages#controlHasher}, and
 * {@link #commit} makes the blob visible only when the size, the control hash and the data part's
 * SHA-256 (the {@code datahash} line of the control member's {@code .PKGINFO}, which the Q1 covers)
 * all match, the way apk-tools checks a package. Q1 alone proves nothing about the data part, and
 * the Q1 alias is how every later request finds the package: one tampered data part would
 * otherwise be served for every repository, every T and offline. On success the Q1 is recorded
 * as an alias of the blob's SHA-256. On a mismatch nothing is stored and the write is cancelled
 * (tails fail: the client's connection is cut).
 */
final class ControlCheckedWriter extends AliasCheckedWriter {
  private final ApkControlHasher hasher;
  // A body that is no apk at all (bad gzip, no .PKGINFO) is reported at commit, so it counts as an
  // integrity failure like any other mismatch; the remaining bytes are only counted meanwhile.
  private String broken;

  ControlCheckedWriter(BlobWriter delegate, Aliases aliases, Alias expected, String what) {
    super(delegate, aliases, expected, what);
    this.hasher = ApkPackages.controlHasher(what);
  }

  /**
   * {@code writer}, checked against the alias the request expects instead of a SHA-256; or, for a
   * SHA-256-checked body with alias kinds to record, recording them ({@link AliasRecordingWriter});
   * else unchanged.
   */
  static BlobWriter wrap(FetchRequest request, BlobWriter writer, Aliases aliases) {
    FetchRequest.Expected e = request.expected();
    if (e != null && e.sha256() != null && !e.aliasKinds().isEmpty()) {
      return new AliasRecordingWriter(writer, aliases, e.aliasKinds(), request.toString());
    }
    if (e == null || e.sha256() != null || e.alias() == null) {
      return writer;
    }
    return e.alias().kind() == Alias.Kind.APK_Q1 ? new ControlCheckedWriter(writer, aliases, e.alias(), request.toString())
        : new DigestCheckedWriter(writer, aliases, e.alias(), request.toString());
  }

  @Override
  void observe(ByteBuffer copy) {
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
  String mismatch(long expectedSize) throws SizeMismatchException {
    if (broken != null) {
      return broken;
    }
    ApkControl control;
    try {
      control = hasher.finish();
    } catch (IndexParseException e) {
      return e.getMessage();
    }
    requireSize(expectedSize);
    if (!control.q1().equals(expected)) {
      return "control hash " + control.q1() + ", the signed APKINDEX says " + expected;
    }
    // A package without datahash (apk v1 style) could have any data part: apk-tools too refuses
    // to derive an identity for one.
    if (control.datahash() == null) {
      return "its .PKGINFO has no datahash, so its data part cannot be checked";
    }
    String data = HexFormat.of().formatHex(hasher.dataSha256());
    if (!data.equalsIgnoreCase(control.datahash())) {
      return "data part sha256 " + data + ", its .PKGINFO datahash (covered by the signed Q1) says " + control.datahash();
    }
    return null;
  }

  /** The body is not the package the signed index names: nothing was stored. */
  static final class ControlMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    ControlMismatchException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
