package dev.reprox.testkit.apk;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * One published state of a fixture apk repository, as {@link ApkRepoBuilder#publish()} wrote it.
 *
 * @param date the APKINDEX tar entry mtime (reprox's publishedAt)
 * @param index repository-relative path of the index, e.g. {@code v3.20/main/x86_64/APKINDEX.tar.gz}
 * @param indexSha256 hex sha256 of the index bytes (reprox's generation digest)
 * @param indexSize its size in bytes
 * @param apks the packages of this generation, sorted by name
 */
public record ApkGeneration(Path root, Instant date, String index, String indexSha256, long indexSize,
              List<BuiltApk> apks) {

  public ApkGeneration {
    apks = List.copyOf(apks);
  }

  /**
   * A built package.
   *
   * @param path repository-relative, e.g. {@code v3.20/main/x86_64/foo-1.0-r0.apk}
   * @param q1 the APKINDEX {@code C:} value, {@code Q1} + base64 of the control member's SHA-1
   * @param controlStart offset of the control member (the signature member ends here)
   * @param controlEnd offset just after the control member (the data member starts here)
   */
  public record BuiltApk(String name, String version, String arch, String path, String sha256, long size,
             String q1, long controlStart, long controlEnd) {
  }

  /** The package {@code name}; throws when absent. */
  public BuiltApk apk(String name) {
    return apks.stream().filter(a -> a.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "apk generation " + date + ": no package " + name + " in " + apks));
  }

  /** Absolute path of {@code relative} under the repository root. */
  public Path resolve(String relative) {
    return root.resolve(relative);
  }
}
