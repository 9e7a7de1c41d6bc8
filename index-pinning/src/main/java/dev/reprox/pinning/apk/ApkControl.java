package dev.reprox.pinning.apk;

import dev.reprox.storage.Alias;
import java.util.Objects;

/**
 * Where an .apk's control member lies and its hashes.
 *
 * @param q1 SHA-1 of the control member's compressed bytes: the APKINDEX {@code C:Q1} value
 * @param q2 SHA-256 of the same bytes (apk's {@code Q2}), 32 bytes
 * @param start offset of the control member's first byte
 * @param end offset just after its last byte; the data member starts here
 * @param signed whether a signature member came before it
 * @param datahash the hex SHA-256 that {@code .PKGINFO}'s {@code datahash} line gives for the data
 *     part (every byte after the control member), as written; null when there is none
 */
public record ApkControl(Alias q1, byte[] q2, long start, long end, boolean signed, String datahash) {
  public ApkControl {
    Objects.requireNonNull(q1, "q1");
    if (q1.kind() != Alias.Kind.APK_Q1) {
      throw new IllegalArgumentException("q1 must be an APK_Q1 alias, got " + q1.kind());
    }
    q2 = q2.clone();
  }

  @Override
  public byte[] q2() {
    return q2.clone();
  }
}
