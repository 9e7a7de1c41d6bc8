package dev.reprox.server.lock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lockfiles of other tools, read into {@link LockEntry}s: apko's {@code apko.lock.json}
 * ({@code contents.packages[]}: {@code url}, {@code checksum} = the Q1), rpm-lockfile-prototype's
 * {@code rpms.lock.yaml} ({@code arches[].packages[]}: {@code url}, {@code checksum}
 * {@code sha256:<hex>}, {@code size}) and repro-env's {@code repro-env.lock} ({@code [[package]]}
 * tables of TOML: {@code system}, {@code url}, {@code sha256}; Debian and Alpine only). URLs map
 * to configured repositories by {@link UrlMapper}; T is the URL's snapshot time or {@code --at}.
 */
final class ForeignLockfiles {
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern Q1 = Pattern.compile("Q1[A-Za-z0-9+/]{27}=");
  private static final Pattern TOML_KV = Pattern.compile("([A-Za-z0-9_-]+)\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*(#.*)?");

  private ForeignLockfiles() {}

  static List<LockEntry> apko(String file, String text, JsonNode root, LockfileReaders.Defaults d)
      throws LockfileFormatException {
    String[] lines = text.split("\n", -1);
    List<LockEntry> out = new ArrayList<>();
    for (JsonNode p : root.path("contents").path("packages")) {
      String url = p.path("url").asText("");
      long line = LockfileReaders.lineOf(lines, url.isEmpty() ? "\"name\"" : url, 0);
      String q1 = p.path("checksum").asText("");
      if (!Q1.matcher(q1).matches()) {
        throw new LockfileFormatException(file, LockfileReaders.lineOf(lines, "\"checksum\": \"" + q1, line),
            "package " + p.path("name").asText("?") + ": checksum is not an apk Q1 (Q1 and 28 base64 characters): "
                + LockfileReaders.abbreviate(q1));
      }
      out.add(entry(file, line, url, d, null, q1, -1));
    }
    return out;
  }

  static List<LockEntry> rpmLockfile(String file, String text, LockfileReaders.Defaults d)
      throws LockfileFormatException {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new LockfileFormatException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          "not YAML: " + e.getOriginalMessage());
    }
    String[] lines = text.split("\n", -1);
    if (root == null || root.path("lockfileVersion").asInt(-1) != 1 || !root.has("arches")) {
      throw new LockfileFormatException(file, 1, "not an rpms.lock.yaml of rpm-lockfile-prototype (lockfileVersion 1,"
          + " arches)");
    }
    List<LockEntry> out = new ArrayList<>();
    for (JsonNode arch : root.path("arches")) {
      for (JsonNode p : arch.path("packages")) {
        String url = p.path("url").asText("");
        long line = LockfileReaders.lineOf(lines, url.isEmpty() ? "- " : url, 0);
        String checksum = p.path("checksum").asText("");
        if (!checksum.startsWith("sha256:") || !HEX64.matcher(checksum.substring(7)).matches()) {
          throw new LockfileFormatException(file, LockfileReaders.lineOf(lines, "checksum: " + checksum, line),
              "package " + LockfileReaders.abbreviate(url) + ": checksum must be sha256:<64 hex digits>: "
                  + LockfileReaders.abbreviate(checksum));
        }
        out.add(entry(file, line, url, d, checksum.substring(7), null, p.path("size").asLong(-1)));
      }
    }
    return out;
  }

  /** repro-env's TOML: only {@code [[package]]} tables of {@code key = "string"} lines are read. */
  static List<LockEntry> reproEnv(String file, String text, LockfileReaders.Defaults d)
      throws LockfileFormatException {
    List<LockEntry> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    Map<String, String> table = null;
    int tableLine = 0;
    for (int i = 0; i <= lines.length; i++) {
      String line = i < lines.length ? lines[i].strip() : "[end]";
      if (line.startsWith("[")) {
        if (table != null) {
          reproEnvPackage(file, tableLine, table, d, out);
        }
        table = line.equals("[[package]]") || line.equals("[[packages]]") ? new HashMap<>() : null;
        tableLine = i + 1;
        continue;
      }
      if (table == null || line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher m = TOML_KV.matcher(line);
      if (!m.matches()) {
        throw new LockfileFormatException(file, i + 1, "not key = \"value\": " + LockfileReaders.abbreviate(line));
      }
      table.put(m.group(1), m.group(2));
    }
    return out;
  }

  private static void reproEnvPackage(String file, int line, Map<String, String> t, LockfileReaders.Defaults d,
      List<LockEntry> out) throws LockfileFormatException {
    String system = t.getOrDefault("system", "");
    if (!system.equals("debian") && !system.equals("alpine")) {
      LockfileFormatException e = new LockfileFormatException(file, line, "package " + t.getOrDefault("name", "?")
          + ": system \"" + system + "\" is not supported (reprox prewarm reads repro-env's debian and alpine"
          + " packages)");
      if (d.unsupported() == null) {
        throw e;
      }
      d.unsupported().accept(e.getMessage());
      return;
    }
    String sha = t.getOrDefault("sha256", "");
    if (!HEX64.matcher(sha).matches()) {
      throw new LockfileFormatException(file, line, "package " + t.getOrDefault("name", "?")
          + ": sha256 must be 64 lower-case hex digits: " + LockfileReaders.abbreviate(sha));
    }
    out.add(entry(file, line, t.getOrDefault("url", ""), d, sha, null, -1));
  }

  private static LockEntry entry(String file, long line, String url, LockfileReaders.Defaults d, String sha256,
      String q1, long size) throws LockfileFormatException {
    Optional<UrlMapper.Mapped> m = d.urls() == null ? Optional.empty() : d.urls().map(url);
    if (m.isEmpty()) {
      throw new LockfileFormatException(file, line, "no configured repository's upstream or snapshot covers "
          + LockfileReaders.abbreviate(url) + " (give --config with that repository)");
    }
    Optional<Instant> at = m.get().at().or(d::at);
    if (at.isEmpty()) {
      throw new LockfileFormatException(file, line, "this lockfile names no time for " + LockfileReaders.abbreviate(url)
          + ": give --at");
    }
    String root = d.root().orElse(m.get().root());
    return new LockEntry(m.get().repo(), root, at.get(), m.get().path(), null, sha256, q1, size, file + ":" + line);
  }
}
