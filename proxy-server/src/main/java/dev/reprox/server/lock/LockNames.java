package dev.reprox.server.lock;

import dev.reprox.config.RepositoryConfig;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * {@code reprox lock --repo}: picks the root (the one given, else the format's usual one; for apk,
 * whose roots are per branch and architecture, the one the store holds) and resolves the names in
 * its generation at T with {@link AptNames}, {@link DnfNames} or {@link ApkNames}, from a stopped
 * store or (dnf, apk) through a running reprox.
 */
public final class LockNames {
  /** {@code usage} (a root could not be chosen) or what the generation gave, and the root used. */
  public record Result(String root, Names.Resolved resolved, String usage) {}

  private LockNames() {}

  /** From a stopped store. */
  public static Result resolve(Storage storage, RepositoryConfig.Format format, String repo, String root, Instant at,
      List<String> wanted) throws IOException {
    return resolve(storage, NameSource.of(storage), format, repo, root, at, wanted);
  }

  /** Through a running reprox (dnf and apk). */
  public static Result resolve(ServerNames server, RepositoryConfig.Format format, String repo, String root,
      Instant at, List<String> wanted) throws IOException {
    if (format == RepositoryConfig.Format.APT) {
      // AptNames reads every stored Packages of the generation; through the server each would be
      // fetched from the upstream (all architectures and components): only from a store.
      return new Result(null, null, repo + " is apt: its names are resolved from a stopped store only (--data DIR)");
    }
    return resolve(null, server, format, repo, root, at, wanted);
  }

  private static Result resolve(Storage storage, NameSource source, RepositoryConfig.Format format, String repo,
      String root, Instant at, List<String> wanted) throws IOException {
    String r = root;
    if (r == null) {
      List<String> roots = storage == null ? List.of() : storage.observations().roots(repo);
      r = switch (format) {
        case APT -> "dists/stable/InRelease";
        case DNF -> "repodata/repomd.xml";
        case APK -> roots.size() == 1 ? roots.get(0) : null;
      };
      if (r == null) {
        return new Result(null, null, repo + " is apk, whose roots are per branch and architecture"
            + (storage == null ? "" : ", and the store holds " + roots.size() + " " + roots) + ": name one with --root");
      }
    }
    Names.Resolved resolved = switch (format) {
      case APT -> apt(storage, repo, r, at, wanted);
      case DNF -> DnfNames.resolve(source, repo, r, at, wanted);
      case APK -> ApkNames.resolve(source, repo, r, at, wanted);
    };
    return new Result(r, resolved, null);
  }

  private static Names.Resolved apt(Storage storage, String repo, String root, Instant at, List<String> wanted)
      throws IOException {
    AptNames.Resolved a = AptNames.resolve(storage, repo, root, at, wanted);
    List<Names.Found> found = a.found().stream()
        .map(f -> new Names.Found(f.name(), f.version(), f.path(), f.sha256(), f.size(), null, null)).toList();
    List<String> problems = a.missing().stream()
        .map(m -> m + ": not in the Packages of " + repo + " at " + at + " that the store holds").toList();
    return new Names.Resolved(a.generation(), a.publishedAt(), found, problems);
  }
}
