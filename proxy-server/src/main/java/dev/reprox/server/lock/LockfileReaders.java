package dev.reprox.server.lock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The lockfile formats {@code reprox prewarm} reads, told apart by name and content: reprox's own
 * ({@link Lockfile}) and repro-get's {@code SHA256SUMS} ({@code <sha256>  <path>} lines, which
 * name neither repository nor time: those come from {@code --repo} and {@code --at}). Every error
 * names the file and the line. Debian {@code .buildinfo}: {@link BuildinfoReader}; other tools'
 * lockfiles: {@link ForeignLockfiles}.
 */
public final class LockfileReaders {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern SUMS_LINE = Pattern.compile("([0-9a-fA-F]{64}) [ *](\\S.*)");

  /**
   * What some formats lack: the repository, its root and T ({@code SHA256SUMS}; T for apko and
   * rpm-lockfile-prototype), and how their package URLs map to configured repositories.
   * {@code unsupported}, when given, is told {@code <file>:<line>: …} for each package of a system
   * reprox does not serve (repro-env's Arch Linux), which is then skipped instead of failing the read.
   */
  public record Defaults(Optional<String> repo, Optional<String> root, Optional<Instant> at, UrlMapper urls,
      java.util.function.Consumer<String> unsupported) {
    /** Without {@code unsupported}: a package of a system reprox does not serve is an error. */
    public Defaults(Optional<String> repo, Optional<String> root, Optional<Instant> at, UrlMapper urls) {
      this(repo, root, at, urls, null);
    }
  }

  private LockfileReaders() {}

  public static List<LockEntry> read(Path file, Defaults d) throws IOException, LockfileFormatException {
    String text = Files.readString(file);
    String name = file.toString();
    String base = file.getFileName().toString();
    if (base.endsWith(".buildinfo")) {
      return BuildinfoReader.read(name, text, d);
    }
    if (text.stripLeading().startsWith("{")) {
      JsonNode root = json(name, text);
      if (root.has("contents") && root.path("contents").has("packages")) {
        return ForeignLockfiles.apko(name, text, root, d);
      }
      return reprox(name, text);
    }
    if (base.endsWith(".yaml") || base.endsWith(".yml")) {
      return ForeignLockfiles.rpmLockfile(name, text, d);
    }
    if (base.endsWith(".lock") && text.contains("[[package")) {
      return ForeignLockfiles.reproEnv(name, text, d);
    }
    return sha256sums(name, text, d);
  }

  /** reprox's lockfile: JSON, {@code lockfileVersion} 1. */
  static JsonNode json(String file, String text) throws LockfileFormatException {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new LockfileFormatException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          "not JSON: " + e.getOriginalMessage());
    }
  }

  static List<LockEntry> reprox(String file, String text) throws LockfileFormatException {
    JsonNode root = json(file, text);
    String[] lines = text.split("\n", -1);
    int version = root.path("lockfileVersion").asInt(-1);
    if (version != Lockfile.VERSION) {
      throw new LockfileFormatException(file, lineOf(lines, "lockfileVersion", 1), "lockfileVersion "
          + root.path("lockfileVersion") + " is not one this reprox reads (" + Lockfile.VERSION + ")");
    }
    List<LockEntry> out = new ArrayList<>();
    for (JsonNode r : root.path("repositories")) {
      String repo = r.path("name").asText("");
      Instant at;
      try {
        at = Instant.parse(r.path("at").asText(""));
      } catch (RuntimeException e) {
        throw new LockfileFormatException(file, lineOf(lines, "\"at\"", 1), "repository " + repo
            + ": at is not an ISO-8601 time: " + r.path("at"));
      }
      String rootPath = r.path("roots").path(0).path("path").asText(null);
      String generation = r.path("roots").path(0).path("generation").asText(null);
      if (rootPath == null) {
        throw new LockfileFormatException(file, lineOf(lines, "\"name\"", 1), "repository " + repo + " names no root");
      }
      for (JsonNode p : r.path("packages")) {
        String path = p.path("path").asText("");
        String sha = p.path("sha256").asText(null);
        long line = lineOf(lines, path, 0);
        if (path.isEmpty() || (sha != null && !HEX64.matcher(sha).matches()) || (sha == null && !p.has("apkQ1"))) {
          throw new LockfileFormatException(file, sha == null ? line : lineOf(lines, sha, line), "package "
              + (path.isEmpty() ? "without a path" : path) + ": sha256 must be 64 lower-case hex digits: " + p.path("sha256"));
        }
        out.add(new LockEntry(repo, rootPath, at, path, generation, sha, p.path("apkQ1").asText(null),
            p.path("size").asLong(-1), file + ":" + line));
      }
    }
    return out;
  }

  /** repro-get's {@code SHA256SUMS}: {@code <sha256>  <path>} (or {@code *<path>}), # comments allowed. */
  static List<LockEntry> sha256sums(String file, String text, Defaults d) throws LockfileFormatException {
    if (d.repo().isEmpty() || d.at().isEmpty()) {
      throw new LockfileFormatException(file, 1, "a SHA256SUMS file names no repository or time: give --repo and --at");
    }
    List<LockEntry> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      var m = SUMS_LINE.matcher(line);
      if (!m.matches()) {
        throw new LockfileFormatException(file, i + 1, "not \"<sha256>  <path>\": " + abbreviate(line));
      }
      String path = m.group(2).strip();
      if (path.startsWith("/") || path.contains("..")) {
        throw new LockfileFormatException(file, i + 1, "path must be relative to the repository: " + abbreviate(path));
      }
      out.add(new LockEntry(d.repo().get(), d.root().orElse(null), d.at().get(), path, null,
          m.group(1).toLowerCase(java.util.Locale.ROOT), null, -1, file + ":" + (i + 1)));
    }
    return out;
  }

  /** The 1-based line of the first occurrence of {@code needle} after line {@code from} (0: anywhere). */
  static long lineOf(String[] lines, String needle, long from) {
    for (int i = (int) Math.max(0, from); i < lines.length; i++) {
      if (lines[i].contains(needle)) {
        return i + 1;
      }
    }
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains(needle)) {
        return i + 1;
      }
    }
    return 0;
  }

  static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }
}
