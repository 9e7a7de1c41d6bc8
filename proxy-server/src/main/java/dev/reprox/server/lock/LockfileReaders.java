package dev.reprox.server.lock;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The lockfile formats {@code reprox prewarm} reads, told apart by name and content: reprox's own
 * ({@link Lockfile}), repro-get's {@code SHA256SUMS} ({@code <sha256>  <path>} lines, which name
 * neither repository nor time: those come from {@code --repo} and {@code --at}) and the foreign
 * ones of {@link ForeignLockfiles}; Debian {@code .buildinfo}: {@link BuildinfoReader}. Every error
 * names the file and the line.
 *
 * <p>Streaming: {@link #stream} hands each entry to a {@link Sink} as the reader meets it (Jackson's
 * token parser for JSON and YAML, one package object at a time, {@link JsonLockfiles}; a line
 * reader for text), so a lockfile of 50,000 entries is never held in memory whole. A file can
 * turn out bad after some of its entries were handed out (a later line, or a JSON
 * {@code lockfileVersion} written after the packages): a caller that acts on entries runs a first
 * pass with a sink that only counts.
 */
public final class LockfileReaders {
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

  /** Takes the entries of a lockfile one by one, in file order. */
  @FunctionalInterface
  public interface Sink {
    void accept(LockEntry e) throws InterruptedException;
  }

  private LockfileReaders() {}

  /** Every entry of {@code file} in a list: for callers that need them all (a few lockfiles, not 50,000 entries). */
  public static List<LockEntry> read(Path file, Defaults d) throws IOException, LockfileFormatException {
    List<LockEntry> out = new ArrayList<>();
    try {
      stream(file, d, out::add);
    } catch (InterruptedException e) {
      throw new AssertionError("a list does not interrupt", e);
    }
    return out;
  }

  /**
   * Hands every entry of {@code file} to {@code sink}, in file order, and returns how many. A new
   * format plugs in here: a reader that calls {@code sink} per entry (or, for small formats, one
   * that returns a list, handed on element by element).
   */
  public static long stream(Path file, Defaults d, Sink sink)
      throws IOException, LockfileFormatException, InterruptedException {
    String name = file.toString();
    String base = file.getFileName().toString();
    long[] count = {0};
    Sink counting = e -> {
      count[0]++;
      sink.accept(e);
    };
    if (base.endsWith(".buildinfo")) {
      // A .buildinfo names a build's few hundred dependencies at most: read whole, handed on one by one.
      for (LockEntry e : BuildinfoReader.read(name, Files.readString(file), d)) {
        counting.accept(e);
      }
    } else if (firstNonBlank(file) == '{') {
      JsonLockfiles.read(file, name, d, counting);
    } else if (base.endsWith(".yaml") || base.endsWith(".yml")) {
      ForeignLockfiles.rpmLockfile(file, name, d, counting);
    } else if (base.endsWith(".lock") && hasLine(file, "[[package")) {
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        ForeignLockfiles.reproEnv(name, in, d, counting);
      }
    } else {
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        sha256sums(name, in, d, counting);
      }
    }
    return count[0];
  }

  private static int firstNonBlank(Path file) throws IOException {
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (int c; (c = in.read()) >= 0; ) {
        if (!Character.isWhitespace(c) && c != '\uFEFF') {
          return c;
        }
      }
      return -1;
    }
  }

  private static boolean hasLine(Path file, String prefix) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.strip().startsWith(prefix)) {
          return true;
        }
      }
      return false;
    }
  }

  /** repro-get's {@code SHA256SUMS}: {@code <sha256>  <path>} (or {@code *<path>}), # comments allowed. */
  static void sha256sums(String file, BufferedReader in, Defaults d, Sink sink)
      throws IOException, LockfileFormatException, InterruptedException {
    if (d.repo().isEmpty() || d.at().isEmpty()) {
      throw new LockfileFormatException(file, 1, "a SHA256SUMS file names no repository or time: give --repo and --at");
    }
    long n = 0;
    for (String raw; (raw = in.readLine()) != null; ) {
      n++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      var m = SUMS_LINE.matcher(line);
      if (!m.matches()) {
        throw new LockfileFormatException(file, n, "not \"<sha256>  <path>\": " + abbreviate(line));
      }
      String path = m.group(2).strip();
      if (path.startsWith("/") || path.contains("..")) {
        throw new LockfileFormatException(file, n, "path must be relative to the repository: " + abbreviate(path));
      }
      sink.accept(new LockEntry(d.repo().get(), d.root().orElse(null), d.at().get(), path, null,
          m.group(1).toLowerCase(java.util.Locale.ROOT), null, -1, file + ":" + n));
    }
  }

  /** reprox's lockfile from its text, in a list (tests). */
  static List<LockEntry> reprox(String file, String text) throws IOException, LockfileFormatException {
    return JsonLockfiles.read(file, text);
  }

  static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }
}
