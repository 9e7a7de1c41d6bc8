package dev.reprox.testkit.apt;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One published state of a fixture repository, as {@link AptRepoBuilder#publish()} wrote it.
 *
 * @param date the Release {@code Date:}
 * @param inRelease repository-relative path of the InRelease, e.g. {@code dists/stable/InRelease}
 * @param inReleaseSha256 hex sha256 of the InRelease bytes (reprox's generation digest)
 * @param files every file the Release lists plus Release, Release.gpg and InRelease, keyed by
 *     repository-relative path
 * @param debs the packages in the pool for this generation
 */
public record AptGeneration(Path root, Instant date, String inRelease, String inReleaseSha256,
              Map<String, RepoFile> files, List<BuiltDeb> debs) {

  public AptGeneration {
    files = Map.copyOf(files);
    debs = List.copyOf(debs);
  }

  /** A file of a repository, addressed the way a mirror URL addresses it. */
  public record RepoFile(String path, String sha256, long size) {
  }

  /** A built package and where it lives. */
  public record BuiltDeb(String name, String version, String architecture, String poolPath,
             String sha256, long size) {
  }

  /** The package {@code name} of this generation; throws when absent. */
  public BuiltDeb deb(String name) {
    return debs.stream().filter(d -> d.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "generation " + date + ": no package " + name + " in " + debs));
  }

  /** The file at repository-relative {@code path}; throws when absent. */
  public RepoFile file(String path) {
    RepoFile f = files.get(path);
    if (f == null) {
      throw new IllegalArgumentException("generation " + date + ": no file " + path + " in " + files.keySet());
    }
    return f;
  }

  /** Absolute path of {@code relative} under the repository root. */
  public Path resolve(String relative) {
    return root.resolve(relative);
  }
}
