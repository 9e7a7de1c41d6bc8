package dev.reprox.pinning.apk;

import dev.reprox.pinning.BodyCheck;
import dev.reprox.pinning.IndexParseException;
import dev.reprox.storage.Alias;
import java.util.HexFormat;

/**
 * An .apk that its APKINDEX names only by {@code C:Q1} (the SHA-1 of the control member) and size,
 * checked the way apk-tools checks a package: the control hash, and the data part's SHA-256
 * against the {@code datahash} line of the control member's {@code .PKGINFO} (which the Q1
 * covers). Q1 alone proves nothing about the data part, and the Q1 alias is how every later
 * request finds the package: one tampered data part would otherwise be served for every
 * repository, every T and offline.
 */
final class ApkBodyCheck implements BodyCheck {
  private final ApkControlHasher hasher;
  private final Alias expected;
  private ApkControl control;
  // A body that is no apk at all (bad gzip, no .PKGINFO) is reported at the end, so it counts as
  // an integrity failure like any other mismatch; the remaining bytes are only counted meanwhile.
  private String broken;

  ApkBodyCheck(Alias expected, String what) {
    this.expected = expected;
    this.hasher = ApkPackages.controlHasher(what);
  }

  @Override
  public void update(byte[] b, int off, int len) {
    if (broken != null) {
      return;
    }
    try {
      hasher.update(b, off, len); // inflates only the first two gzip members; the rest is counted
    } catch (IndexParseException e) {
      broken = "not an apk: " + e.getMessage();
    }
  }

  @Override
  public String unreadable() {
    if (broken != null) {
      return broken;
    }
    try {
      control = hasher.finish();
      return null;
    } catch (IndexParseException e) {
      return e.getMessage();
    }
  }

  @Override
  public String mismatch() {
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
      return "data part sha256 " + data + ", its .PKGINFO datahash (covered by the signed Q1) says "
          + control.datahash();
    }
    return null;
  }
}
