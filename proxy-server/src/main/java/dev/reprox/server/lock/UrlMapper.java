package dev.reprox.server.lock;

import dev.reprox.config.RepositoryConfig;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Optional;

/**
 * Maps a package URL of a foreign lockfile (apko, rpm-lockfile-prototype, repro-env) to a
 * configured repository and the path below it: the longest configured {@code upstream} that
 * prefixes it (host compared without case, http and https alike), or a {@code snapshot} base followed by
 * the snapshot's T ({@code …/archive/debian/20230115T211934Z/pool/…}: then T comes from the
 * URL). The root is the format's: apk the {@code APKINDEX.tar.gz} beside the package, dnf the
 * {@code repodata/repomd.xml} above its {@code Packages/} directory, apt {@code aptRoot}.
 */
public final class UrlMapper {
  /** Where a URL lands: the repository, the path, its root, and T when the URL carries one. */
  public record Mapped(String repo, String path, String root, Optional<Instant> at) {}

  private static final DateTimeFormatter SNAPSHOT_T = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  private final Collection<RepositoryConfig> repositories;
  private final String aptRoot;

  public UrlMapper(Collection<RepositoryConfig> repositories, String aptRoot) {
    this.repositories = repositories;
    this.aptRoot = aptRoot;
  }

  /** The names of the configured repositories of {@code format}, sorted (a default when there is one). */
  public java.util.List<String> repositories(RepositoryConfig.Format format) {
    return repositories.stream().filter(r -> r.format() == format).map(RepositoryConfig::name).sorted().toList();
  }

  public Optional<Mapped> map(String url) {
    String u = normal(url);
    Mapped best = null;
    int bestLength = -1;
    for (RepositoryConfig r : repositories) {
      String up = normal(r.upstream().toString()).replaceAll("/$", "") + "/";
      if (u.startsWith(up) && up.length() > bestLength) {
        String path = u.substring(up.length());
        best = new Mapped(r.name(), path, root(r.format(), path), Optional.empty());
        bestLength = up.length();
      }
      if (r.snapshot().isPresent()) {
        String snap = normal(r.snapshot().get().toString()).replaceAll("/$", "") + "/";
        if (u.startsWith(snap) && snap.length() > bestLength) {
          String rest = u.substring(snap.length());
          int slash = rest.indexOf('/');
          if (slash > 0) {
            try {
              Instant t = LocalDateTime.parse(rest.substring(0, slash), SNAPSHOT_T).toInstant(ZoneOffset.UTC);
              String path = rest.substring(slash + 1);
              best = new Mapped(r.name(), path, root(r.format(), path), Optional.of(t));
              bestLength = snap.length();
            } catch (RuntimeException e) {
              // not a snapshot time: not this repository's snapshot URL
            }
          }
        }
      }
    }
    return Optional.ofNullable(best);
  }

  private String root(RepositoryConfig.Format format, String path) {
    String dir = path.contains("/") ? path.substring(0, path.lastIndexOf('/') + 1) : "";
    return switch (format) {
      case APK -> dir + "APKINDEX.tar.gz";
      case DNF -> (path.contains("Packages/") ? path.substring(0, path.indexOf("Packages/")) : dir)
          + "repodata/repomd.xml";
      case APT -> aptRoot;
    };
  }

  /** Host in lower case, the rest as given; http and https alike (a lockfile may name either of one mirror). */
  private static String normal(String url) {
    try {
      URI u = URI.create(url);
      String authority = u.getRawAuthority() == null ? "" : u.getRawAuthority().toLowerCase(java.util.Locale.ROOT);
      return "//" + authority
          + (u.getRawPath() == null ? "" : u.getRawPath());
    } catch (RuntimeException e) {
      return url;
    }
  }
}
