package dev.reprox.server.lock;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.dnf.PrimaryEntry;
import dev.reprox.pinning.dnf.PrimaryReader;
import dev.reprox.pinning.dnf.Repomd;
import dev.reprox.pinning.dnf.RepomdEntry;
import dev.reprox.pinning.dnf.RpmChecksum;
import dev.reprox.storage.Digest;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code reprox lock --repo R --at T NAME[=VERSION]…} for dnf: the generation at T ({@link NameSource}:
 * a stopped store's pin, or a running reprox); its repomd.xml (verified when it was stored) names
 * primary, which is read streamed (a Fedora primary is tens of MB of XML) for each name's
 * {@code <location>}, pkgid checksum and size. VERSION is primary's {@code [epoch:]version-release}
 * (the epoch may be left out). The rpm's SHA-256 is primary's checksum when its type is sha256;
 * under another type, that of the stored body it names, and the name is not locked when that is
 * not known. Names only, no dependency resolution.
 */
public final class DnfNames {
  private DnfNames() {}

  static Names.Resolved resolve(NameSource source, String repo, String root, Instant at, List<String> wanted)
      throws IOException {
    NameSource.Root pin = source.root(repo, root, at);
    Repomd repomd;
    try {
      repomd = Repomd.parse(pin.bytes(), root);
    } catch (IndexParseException e) {
      throw new IOException("the stored " + root + " " + pin.generation() + ": " + e.getMessage(), e);
    }
    RepomdEntry primary = repomd.entry("primary").orElseThrow(() -> new IOException(repo + "/" + root + " at " + at
        + " (generation " + pin.generation() + ") names no primary"));
    String prefix = root.contains("repodata/") ? root.substring(0, root.lastIndexOf("repodata/")) : "";
    String primarySha256 = primary.checksum().algorithm() == RpmChecksum.Algorithm.SHA256
        ? primary.checksum().hex() : source.sha256Of(primary.checksum().alias());
    Map<String, String> want = Names.wanted(wanted);
    Map<String, PrimaryEntry> match = new HashMap<>();
    Map<String, Set<String>> seen = new HashMap<>();
    String what = repo + "/" + prefix + primary.href();
    try (PrimaryReader r = PrimaryReader.open(source.listing(repo, at, prefix + primary.href(),
        primarySha256 == null ? null : Digest.sha256(primarySha256)), prefix, what)) {
      for (PrimaryEntry e = r.nextEntry(); e != null; e = r.nextEntry()) {
        if (!want.containsKey(e.name())) {
          continue;
        }
        Names.seen(seen, e.name(), e.evr());
        String v = want.get(e.name());
        if ((v == null || v.equals(e.evr()) || v.equals(e.evr().replaceFirst("^[0-9]+:", "")))
            && !match.containsKey(e.name())) {
          match.put(e.name(), e);
        }
      }
    } catch (IndexParseException e) {
      throw new IOException(e.getMessage(), e);
    }
    String where = "the primary of " + repo + "/" + root + " at " + at + " (generation " + pin.generation() + ")";
    Map<String, Names.Found> found = new HashMap<>();
    List<String> problems = new java.util.ArrayList<>();
    for (Map.Entry<String, String> w : want.entrySet()) {
      PrimaryEntry e = match.get(w.getKey());
      Set<String> versions = seen.getOrDefault(w.getKey(), Set.of());
      if (e == null || (w.getValue() == null && versions.size() > 1)) {
        problems.add(Names.problem(w.getKey(), w.getValue(), versions, where));
        continue;
      }
      RpmChecksum c = e.checksum();
      String type = c.algorithm().name().toLowerCase(Locale.ROOT);
      String sha256 = c.algorithm() == RpmChecksum.Algorithm.SHA256 ? c.hex() : source.sha256Of(c.alias());
      if (sha256 == null) {
        problems.add(e.name() + ": " + where + " names it by its " + type + " only and its SHA-256 is not known"
            + " here: install or prewarm it through reprox once, then lock from that store (--data)");
        continue;
      }
      found.put(e.name(), new Names.Found(e.name(), e.evr(), prefix + e.href(), sha256, e.size(), null, type));
    }
    return new Names.Resolved(pin.generation().toString(), pin.publishedAt(), Names.sorted(found), problems);
  }
}
