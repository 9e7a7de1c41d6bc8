package dev.reprox.server.fetch;

import dev.reprox.pinning.BodyCheck;
import dev.reprox.storage.Alias;
import dev.reprox.storage.Aliases;
import dev.reprox.storage.BlobWriter;
import dev.reprox.storage.SizeMismatchException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A {@link BlobWriter} for a body its index names by a hash of the format's own (apk's
 * {@code C:Q1}): every piece also goes through the format's {@link BodyCheck}, and
 * {@link #commit} makes the blob visible only when it and the size match. On success the alias is
 * recorded for the blob's SHA-256; on a mismatch nothing is stored and the write is cancelled
 * (tails fail: the client's connection is cut). The server knows no format here: what the check
 * is lives behind {@link dev.reprox.pinning.Format#bodyCheck}.
 */
final class FormatCheckedWriter extends AliasCheckedWriter {
  private final BodyCheck check;

  FormatCheckedWriter(BlobWriter delegate, Aliases aliases, Alias expected, String what, BodyCheck check) {
    super(delegate, aliases, expected, what);
    this.check = check;
  }

  /**
   * {@code writer}, checked against the alias the request expects (by the format's own check when
   * it has one, else as a digest of the body; a SHA-256 expected too, a lockfile's, is checked
   * after it by the commit); or, for a SHA-256-checked body (or a deferred one, {@link
   * FetchRequest.Later}) with alias kinds to record, recording them ({@link AliasRecordingWriter});
   * else unchanged.
   */
  static BlobWriter wrap(FetchRequest request, BlobWriter writer, Aliases aliases) {
    FetchRequest.Expected e = request.expected();
    if (e != null && e.alias() == null && (e.sha256() != null || e.later() != null) && !e.aliasKinds().isEmpty()) {
      return new AliasRecordingWriter(writer, aliases, e.aliasKinds(), request.toString());
    }
    if (e == null || e.alias() == null || e.later() != null) {
      return writer;
    }
    Optional<BodyCheck> own = e.checks().start(e.alias(), request.toString());
    return own.<BlobWriter>map(c -> new FormatCheckedWriter(writer, aliases, e.alias(), request.toString(), c))
        .orElseGet(() -> new DigestCheckedWriter(writer, aliases, e.alias(), request.toString()));
  }

  @Override
  void observe(ByteBuffer copy) {
    // A heap copy of a direct buffer costs one piece at a time, never the body.
    int len = copy.remaining();
    if (copy.hasArray()) {
      check.update(copy.array(), copy.arrayOffset() + copy.position(), len);
    } else {
      byte[] piece = new byte[len];
      copy.get(piece);
      check.update(piece, 0, len);
    }
  }

  @Override
  String mismatch(long expectedSize) throws SizeMismatchException {
    String unreadable = check.unreadable();
    if (unreadable != null) {
      return unreadable;
    }
    requireSize(expectedSize);
    return check.mismatch();
  }

  /** The body is not the one the signed index names: nothing was stored. */
  static final class ControlMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    ControlMismatchException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
