package dev.reprox.pinning.apk;

import dev.reprox.storage.Alias;
import java.util.Objects;

/**
 * One package record of an APKINDEX.
 *
 * @param name {@code P:}
 * @param version {@code V:}
 * @param arch {@code A:}, or null when the record has none
 * @param size {@code S:}, the .apk's size in bytes
 * @param q1 {@code C:Q1…}: SHA-1 of the package's control member
 * @param q2 {@code C:Q2…} (SHA-256 of the control member) when the index gives it besides Q1,
 *     else null
 */
public record ApkIndexEntry(String name, String version, String arch, long size, Alias q1, byte[] q2) {
  public ApkIndexEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(q1, "q1");
    q2 = q2 == null ? null : q2.clone();
  }

  /** The package file name apk requests, relative to the index's directory. */
  public String fileName() {
    return name + "-" + version + ".apk";
  }

  @Override
  public byte[] q2() {
    return q2 == null ? null : q2.clone();
  }
}
