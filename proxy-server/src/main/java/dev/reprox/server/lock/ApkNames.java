package dev.reprox.server.lock;

import dev.reprox.pinning.IndexParseException;
import dev.reprox.pinning.apk.ApkIndex;
import dev.reprox.pinning.apk.ApkIndexEntry;
import dev.reprox.pinning.apk.ApkIndexReader;
import dev.reprox.storage.Digest;
import dev.reprox.storage.Storage;
import java.io.IOException;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code reprox lock --repo R --at T NAME[=VERSION]…} for apk: the generation at T ({@link NameSource}:
 * a stopped store's pin, or a running reprox), whose {@code APKINDEX.tar.gz} (verified when it was
 * stored: the store holds only verified roots under a pin) is the listing itself. Each name gives its path,
 * size and Q1 ({@code C:}); its SHA-256 only when a store holds the body (APKINDEX names none),
 * else the lockfile entry carries the Q1 alone, which {@code reprox prewarm} checks the body by.
 * Names only, no dependency resolution.
 */
public final class ApkNames {
  private ApkNames() {}

  static Names.Resolved resolve(NameSource source, String repo, String root, Instant at, List<String> wanted)
      throws IOException {
    NameSource.Root pin = source.root(repo, root, at);
    Map<String, String> want = Names.wanted(wanted);
    Map<String, ApkIndexEntry> match = new HashMap<>();
    Map<String, Set<String>> seen = new HashMap<>();
    each(pin.bytes(), root, pin.generation(), e -> {
      if (!want.containsKey(e.name())) {
        return;
      }
      Names.seen(seen, e.name(), e.version());
      String v = want.get(e.name());
      if ((v == null || v.equals(e.version())) && !match.containsKey(e.name())) {
        match.put(e.name(), e);
      }
    });
    String where = "the APKINDEX of " + repo + "/" + root + " at " + at + " (generation " + pin.generation() + ")";
    String dir = root.substring(0, root.lastIndexOf('/') + 1);
    Map<String, Names.Found> found = new HashMap<>();
    List<String> problems = new java.util.ArrayList<>();
    for (Map.Entry<String, String> w : want.entrySet()) {
      ApkIndexEntry e = match.get(w.getKey());
      Set<String> versions = seen.getOrDefault(w.getKey(), Set.of());
      if (e == null || (w.getValue() == null && versions.size() > 1)) {
        problems.add(Names.problem(w.getKey(), w.getValue(), versions, where));
        continue;
      }
      found.put(e.name(), new Names.Found(e.name(), e.version(), dir + e.fileName(),
          source.sha256Of(e.q1()), e.size(), q1(e.q1()), null));
    }
    return new Names.Resolved(pin.generation().toString(), pin.publishedAt(), Names.sorted(found), problems);
  }

  /** Path (relative to the repository) → {@code Q1…} of every record of the stored APKINDEX {@code generation}. */
  public static Map<String, String> q1ByPath(Storage storage, String root, Digest generation) throws IOException {
    String dir = root.substring(0, root.lastIndexOf('/') + 1);
    Map<String, String> out = new HashMap<>();
    each(Names.read(storage, generation), root, generation, e -> out.put(dir + e.fileName(), q1(e.q1())));
    return out;
  }

  static String q1(dev.reprox.storage.Alias alias) {
    return "Q1" + Base64.getEncoder().encodeToString(alias.value());
  }

  private static void each(byte[] index, String root, Digest generation, Consumer<ApkIndexEntry> visit)
      throws IOException {
    // An APKINDEX.tar.gz is small (Alpine main: ~1 MiB) and ApkIndex parses it whole.
    try (ApkIndexReader r = ApkIndex.parse(index, root).entries("")) {
      for (ApkIndexEntry e = r.nextEntry(); e != null; e = r.nextEntry()) {
        visit.accept(e);
      }
    } catch (IndexParseException e) {
      throw new IOException("the stored " + root + " " + generation + ": " + e.getMessage(), e);
    }
  }
}
