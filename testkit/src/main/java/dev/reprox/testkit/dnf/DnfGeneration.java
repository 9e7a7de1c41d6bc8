package dev.reprox.testkit.dnf;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One published state of a fixture dnf repository, as {@link DnfRepoBuilder#publish()} wrote it.
 *
 * @param revision repomd.xml's {@code <revision>} (and every {@code <timestamp>}), as an instant
 * @param repomdSha256 hex sha256 of {@code repodata/repomd.xml} (reprox's generation digest)
 * @param files every file under {@code repodata/} (repomd.xml, its .asc when signed, the
 *     hash-prefixed metadata), keyed by repository-relative path
 * @param rpms the packages of this generation, sorted by name
 */
public record DnfGeneration(Path root, Instant revision, String repomdSha256, Map<String, RepoFile> files,
              List<BuiltRpm> rpms) {

  /** Where the root index lives, relative to the repository root. */
  public static final String REPOMD = "repodata/repomd.xml";

  public DnfGeneration {
    files = Map.copyOf(files);
    rpms = List.copyOf(rpms);
  }

  /** A file of the repository, addressed the way a baseurl addresses it. */
  public record RepoFile(String path, String sha256, long size) {
  }

  /**
   * A built, signed rpm.
   *
   * @param path repository-relative, e.g. {@code Packages/foo-1.0-1.noarch.rpm} (primary's location href)
   * @param sha256 hex sha256 of the file (primary's {@code <checksum type="sha256" pkgid="YES">})
   * @param headerSha256 {@code rpm -qp --qf '%{SHA256HEADER}'}: what {@code rpm -qa} reports once installed
   */
  public record BuiltRpm(String name, String version, String release, String path, String sha256, long size,
             String headerSha256) {

    /** {@code name-version-release}. */
    public String nvr() {
      return name + "-" + version + "-" + release;
    }

    /** The line {@link DnfClient#installed()} lists for this package. */
    public String installedLine() {
      return nvr() + " " + headerSha256;
    }
  }

  /** The package {@code name}; throws when absent. */
  public BuiltRpm rpm(String name) {
    return rpms.stream().filter(r -> r.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "dnf generation " + revision + ": no package " + name + " in " + rpms));
  }

  /** The file at repository-relative {@code path}; throws when absent. */
  public RepoFile file(String path) {
    RepoFile f = files.get(path);
    if (f == null) {
      throw new IllegalArgumentException("dnf generation " + revision + ": no file " + path + " in " + files.keySet());
    }
    return f;
  }

  /** Absolute path of {@code relative} under the repository root. */
  public Path resolve(String relative) {
    return root.resolve(relative);
  }
}
