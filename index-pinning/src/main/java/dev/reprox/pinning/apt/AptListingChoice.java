package dev.reprox.pinning.apt;

import dev.reprox.pinning.ListedFile;
import dev.reprox.pinning.ListingSource;
import dev.reprox.pinning.RootIndex;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which of a Release's listings could name a pool file, likeliest first: the {@code Packages} of
 * the file name's architecture ({@code _all}: {@code binary-all} first, then every architecture
 * the Release lists), {@code debian-installer} ones for a {@code .udeb}, {@code Sources} for
 * source files; the pool path's component first when the Release has it. Of the variants of one
 * listing the gzip one is taken: the JDK inflates a Debian {@code Packages.gz} several times
 * faster than the pure-Java xz decoder reads the {@code .xz} (docs/performance.md), and the plain
 * one is the largest download and often not on the mirror at all.
 */
final class AptListingChoice {
  private static final Pattern BINARY = Pattern.compile("[^_/]+_[^_/]+_([^_/.]+)\\.(deb|udeb|ddeb)");
  /** {@code <component>/[debian-installer/]binary-<arch>/Packages[.gz|.xz]} or {@code <component>/source/Sources*}. */
  private static final Pattern LISTING = Pattern.compile(
      "(.+?)(/debian-installer)?/(?:binary-([^/]+)/Packages|source/Sources)(\\.gz|\\.xz)?");
  private static final List<String> PREFERENCE = List.of(".gz", ".xz", "");

  private AptListingChoice() {}

  static List<ListingSource> naming(RootIndex root, String packagePath) {
    String dir = AptPaths.directory(root.path());
    String name = AptPaths.fileName(packagePath);
    Matcher binary = BINARY.matcher(name);
    boolean source = !binary.matches();
    String arch = source ? null : binary.group(1);
    boolean installer = !source && binary.group(2).equals("udeb");
    String poolComponent = poolComponent(packagePath);
    // listing without compression suffix -> its variants by suffix
    Map<String, Map<String, ListedFile>> variants = new LinkedHashMap<>();
    Map<String, String> components = new LinkedHashMap<>();
    Map<String, String> arches = new LinkedHashMap<>();
    for (ListedFile f : root.files().values()) {
      if (f.sha256() == null || !f.path().startsWith(dir)) {
        continue;
      }
      Matcher m = LISTING.matcher(f.path().substring(dir.length()));
      if (!m.matches() || (m.group(3) == null) != source || (m.group(2) != null) != installer) {
        continue;
      }
      if (!source && !arch.equals("all") && !arch.equals(m.group(3))) {
        continue;
      }
      String suffix = m.group(4) == null ? "" : m.group(4);
      String base = f.path().substring(0, f.path().length() - suffix.length());
      variants.computeIfAbsent(base, b -> new LinkedHashMap<>()).put(suffix, f);
      components.put(base, m.group(1));
      arches.put(base, m.group(3) == null ? "" : m.group(3));
    }
    boolean componentKnown = poolComponent != null && components.values().stream()
        .anyMatch(c -> sameComponent(c, poolComponent));
    List<ListingSource> first = new ArrayList<>();
    List<ListingSource> rest = new ArrayList<>();
    for (Map.Entry<String, Map<String, ListedFile>> e : variants.entrySet()) {
      if (componentKnown && !sameComponent(components.get(e.getKey()), poolComponent)) {
        continue;
      }
      ListingSource s = source(root, e.getValue());
      (arches.get(e.getKey()).equals("all") ? first : rest).add(s);
    }
    first.addAll(rest);
    return first;
  }

  /** Every listing of {@code root}, one variant each (gzip first, by-hash when offered), in the Release's order. */
  static List<ListingSource> all(RootIndex root) {
    String dir = AptPaths.directory(root.path());
    Map<String, Map<String, ListedFile>> variants = new LinkedHashMap<>();
    for (ListedFile f : root.files().values()) {
      Matcher m = f.sha256() == null || !f.path().startsWith(dir) ? null
          : LISTING.matcher(f.path().substring(dir.length()));
      if (m != null && m.matches()) {
        String suffix = m.group(4) == null ? "" : m.group(4);
        variants.computeIfAbsent(f.path().substring(0, f.path().length() - suffix.length()),
            b -> new LinkedHashMap<>()).put(suffix, f);
      }
    }
    return variants.values().stream().map(v -> source(root, v)).toList();
  }

  private static ListingSource source(RootIndex root, Map<String, ListedFile> byCompression) {
    ListedFile chosen = PREFERENCE.stream().filter(byCompression::containsKey).map(byCompression::get)
        .findFirst().orElseThrow();
    String fetchPath = root.byHash()
        ? AptPaths.directory(chosen.path()) + "by-hash/SHA256/" + chosen.sha256().hex() : chosen.path();
    return new ListingSource(chosen, fetchPath);
  }

  /** {@code main} of {@code pool/main/h/hello/…}; null when the path is not under {@code pool/}. */
  private static String poolComponent(String path) {
    if (!path.startsWith("pool/")) {
      return null;
    }
    int slash = path.indexOf('/', 5);
    return slash < 0 ? null : path.substring(5, slash);
  }

  /** Debian-security's {@code updates/main} is the pool's {@code main}. */
  private static boolean sameComponent(String releaseComponent, String poolComponent) {
    return releaseComponent.equals(poolComponent) || releaseComponent.endsWith("/" + poolComponent);
  }
}
