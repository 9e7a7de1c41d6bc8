package dev.reprox.pinning.apk;

import dev.reprox.pinning.IndexParseException;
import java.io.IOException;
import java.io.InputStream;

/** Entry points for .apk package files. */
public final class ApkPackages {
  private static final int BUFFER = 64 * 1024;

  private ApkPackages() {}

  /** A hasher to feed a package's bytes into as they arrive; {@code what} names it in errors. */
  public static ApkControlHasher controlHasher(String what) {
    return new ApkControlHasher(what);
  }

  /**
   * Reads {@code apk} up to the end of its control member (not further, and not whole into memory)
   * and returns the control member's hashes. Does not close the stream.
   */
  public static ApkControl controlHash(InputStream apk, String what) throws IOException, IndexParseException {
    ApkControlHasher hasher = controlHasher(what);
    byte[] buffer = new byte[BUFFER];
    int n;
    while (hasher.control() == null && (n = apk.read(buffer)) > 0) {
      hasher.update(buffer, 0, n);
    }
    return hasher.finish();
  }
}
