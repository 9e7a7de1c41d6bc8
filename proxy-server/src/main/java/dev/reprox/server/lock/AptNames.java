package dev.reprox.server.lock;

import dev.reprox.storage.Digest;
import dev.reprox.storage.Pin;
import dev.reprox.storage.Storage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * {@code reprox lock --repo R --at T NAME[=VERSION]…} for apt, from a stopped store: the root's
 * pin at T names the generation; its stored InRelease (verified when it was stored: the store
 * holds only verified roots under a pin) lists the Packages files, and those stored are read
 * (streamed, decompressed) for each name's stanza: {@code Filename}, {@code SHA256}, {@code Size}.
 * Names only, no dependency resolution. A name in several Packages (architectures, components)
 * is taken from the first that has it with the version asked (or any version when none is asked).
 */
public final class AptNames {
  /** One name resolved: where it lives and what it is. */
  public record Found(String name, String version, String path, String sha256, long size) {}

  /** What was asked and what the generation at T gave. */
  public record Resolved(String generation, Instant publishedAt, List<Found> found, List<String> missing) {}

  private AptNames() {}

  public static Resolved resolve(Storage storage, String repo, String root, Instant at, List<String> wanted)
      throws IOException {
    Optional<Pin> pin = storage.pins().get(repo, root, at);
    if (pin.isEmpty()) {
      throw new IOException(repo + "/" + root + " has no pin at " + at + ": let a client (or reprox prewarm) ask for"
          + " it at T through reprox first");
    }
    Digest generation = pin.get().generation();
    Map<String, String> want = wants(wanted);
    Map<String, Found> found = find(storage, generation, want, null);
    List<String> missing = want.keySet().stream().filter(n -> !found.containsKey(n))
        .map(n -> want.get(n) == null ? n : n + "=" + want.get(n)).toList();
    Instant published = storage.observations().byDigest(repo, root, generation)
        .map(dev.reprox.storage.Generation::publishedAt).orElse(null);
    return new Resolved(generation.toString(), published, new ArrayList<>(found.values()), missing);
  }

  /**
   * The stanza of {@code name} at {@code version} in the stored Packages files of
   * {@code generation} (an InRelease stored under a pin, so verified), of architecture
   * {@code arch} or {@code all}; empty when none of those stored names it. For
   * {@code reprox prewarm} of a {@code .buildinfo}, after the listings were fetched.
   */
  public static Optional<Found> find(Storage storage, Digest generation, String name, String version, String arch)
      throws IOException {
    Map<String, String> want = new LinkedHashMap<>();
    want.put(name, version);
    return Optional.ofNullable(find(storage, generation, want, arch).get(name));
  }

  private static Map<String, String> wants(List<String> wanted) {
    Map<String, String> want = new LinkedHashMap<>();
    for (String w : wanted) {
      int eq = w.indexOf('=');
      want.put(eq < 0 ? w : w.substring(0, eq), eq < 0 ? null : w.substring(eq + 1));
    }
    return want;
  }

  private static Map<String, Found> find(Storage storage, Digest generation, Map<String, String> want, String arch)
      throws IOException {
    String inRelease = new String(Names.read(storage, generation), StandardCharsets.UTF_8);
    Map<String, Found> found = new TreeMap<>();
    for (String[] listing : packagesFiles(inRelease)) {
      Digest d = Digest.sha256(listing[0]);
      if (found.size() == want.size()) {
        break;
      }
      if (arch != null && !listing[1].contains("binary-" + arch + "/") && !listing[1].contains("binary-all/")) {
        continue;
      }
      if (storage.blobs().stat(d).isEmpty()) {
        continue;
      }
      try (InputStream in = decompress(listing[1], Names.stream(storage, d))) {
        scan(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), want, arch, found);
      }
    }
    return found;
  }

  /** {@code [sha256, path]} of every Packages file the InRelease's SHA256 section names. */
  static List<String[]> packagesFiles(String inRelease) {
    List<String[]> out = new ArrayList<>();
    boolean sha = false;
    for (String line : inRelease.split("\n")) {
      if (!line.startsWith(" ")) {
        sha = line.startsWith("SHA256:");
        continue;
      }
      String[] f = line.strip().split("\\s+");
      if (sha && f.length == 3 && f[2].matches(".*/Packages(\\.gz|\\.xz)?")) {
        out.add(new String[] {f[0], f[2]});
      }
    }
    return out;
  }

  private static void scan(BufferedReader r, Map<String, String> want, String arch, Map<String, Found> found)
      throws IOException {
    Map<String, String> stanza = new java.util.HashMap<>();
    for (String line = r.readLine(); ; line = r.readLine()) {
      if (line == null || line.isEmpty()) {
        String name = stanza.get("Package");
        if (name != null && want.containsKey(name) && !found.containsKey(name)
            && (want.get(name) == null || want.get(name).equals(stanza.get("Version")))
            && (arch == null || arch.equals(stanza.get("Architecture")) || "all".equals(stanza.get("Architecture")))
            && stanza.containsKey("Filename") && stanza.containsKey("SHA256")) {
          found.put(name, new Found(name, stanza.get("Version"), stanza.get("Filename"), stanza.get("SHA256"),
              Long.parseLong(stanza.getOrDefault("Size", "-1"))));
        }
        stanza.clear();
        if (line == null) {
          return;
        }
        continue;
      }
      int colon = line.indexOf(':');
      if (!line.startsWith(" ") && colon > 0) {
        stanza.put(line.substring(0, colon), line.substring(colon + 1).strip());
      }
    }
  }

  private static InputStream decompress(String path, InputStream in) throws IOException {
    return path.endsWith(".gz") ? new GZIPInputStream(in) : path.endsWith(".xz") ? new XZInputStream(in) : in;
  }
}
