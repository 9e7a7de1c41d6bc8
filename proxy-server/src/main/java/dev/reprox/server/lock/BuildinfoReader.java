package dev.reprox.server.lock;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian {@code .buildinfo} files (deb-buildinfo(5)): RFC 822-like fields, usually clearsigned.
 * The signature is only stripped, never checked: what the file names is resolved in the signed
 * Packages of the generation at T and each package is checked against that, so a forged
 * buildinfo can name packages but never get unverified bytes stored. Read are
 * {@code Installed-Build-Depends} ({@code name[:arch] (= version)}, comma separated, one or
 * several per line), {@code Build-Architecture} (each entry's architecture unless it names its
 * own) and {@code Build-Date} (RFC 2822, the T at which they are resolved, as debrebuild does
 * against snapshot.debian.org). Every error names the file and the line.
 */
final class BuildinfoReader {
  private static final Pattern FIELD = Pattern.compile("([A-Za-z0-9][A-Za-z0-9-]*):(.*)");
  private static final Pattern ENTRY =
      Pattern.compile("([a-z0-9][a-z0-9+.-]*)(?::([a-z0-9-]+))?\\s*\\(\\s*=\\s*([A-Za-z0-9.+:~-]+)\\s*\\)");

  private BuildinfoReader() {}

  static List<LockEntry> read(String file, String text, LockfileReaders.Defaults d) throws LockfileFormatException {
    String[] lines = text.split("\r?\n", -1);
    String arch = null;
    Instant at = null;
    int depsLine = 0;
    List<String> entries = new ArrayList<>();
    List<Integer> entryLines = new ArrayList<>();
    String field = null;
    boolean signed = false;
    boolean header = false;
    int first = firstNonBlank(lines);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (i == first && line.strip().equals("-----BEGIN PGP SIGNED MESSAGE-----")) {
        signed = true;
        header = true;
        continue;
      }
      if (header) {
        header = !line.isBlank(); // armour headers (Hash: ...) end at the first empty line
        continue;
      }
      if (signed && line.startsWith("-----BEGIN PGP SIGNATURE-----")) {
        break;
      }
      if (signed && line.startsWith("- ")) {
        line = line.substring(2); // dash-escaped (RFC 4880 7.1)
      }
      if (line.isBlank()) {
        field = null;
        continue;
      }
      if (line.startsWith(" ") || line.startsWith("\t")) {
        if (field == null) {
          throw new LockfileFormatException(file, i + 1, "a continuation line outside any field: "
              + LockfileReaders.abbreviate(line.strip()));
        }
        if (field.equals("installed-build-depends")) {
          split(line, i + 1, entries, entryLines);
        }
        continue;
      }
      Matcher m = FIELD.matcher(line);
      if (!m.matches()) {
        throw new LockfileFormatException(file, i + 1, "not \"Field: value\": " + LockfileReaders.abbreviate(line));
      }
      field = m.group(1).toLowerCase(java.util.Locale.ROOT);
      String value = m.group(2).strip();
      switch (field) {
        case "build-architecture" -> arch = value;
        case "build-date" -> at = date(file, i + 1, value);
        case "installed-build-depends" -> {
          depsLine = i + 1;
          split(value, i + 1, entries, entryLines);
        }
        default -> { }
      }
    }
    if (depsLine == 0) {
      throw new LockfileFormatException(file, 1, "no Installed-Build-Depends field: nothing to pre-warm");
    }
    if (at == null) {
      throw new LockfileFormatException(file, 1, "no Build-Date field: the time to resolve the packages at");
    }
    if (arch == null || arch.isEmpty()) {
      throw new LockfileFormatException(file, 1, "no Build-Architecture field");
    }
    List<LockEntry.Named> named = new ArrayList<>();
    for (int k = 0; k < entries.size(); k++) {
      Matcher e = ENTRY.matcher(entries.get(k));
      if (!e.matches()) {
        throw new LockfileFormatException(file, entryLines.get(k), "not \"name[:arch] (= version)\": "
            + LockfileReaders.abbreviate(entries.get(k)));
      }
      String entryArch = e.group(2) != null && !e.group(2).equals("any") ? e.group(2) : arch;
      named.add(new LockEntry.Named(e.group(1), e.group(3), entryArch));
    }
    String repo = repository(file, depsLine, d);
    List<LockEntry> out = new ArrayList<>();
    for (int k = 0; k < named.size(); k++) {
      out.add(LockEntry.named(repo, d.root().orElse(null), at, named.get(k), file + ":" + entryLines.get(k)));
    }
    return out;
  }

  /**
   * The repository: {@code --repo}, else the only apt repository the configuration adds to the
   * built-ins (a built-in is never guessed: which suite and mirror a build used is the user's).
   */
  private static String repository(String file, int line, LockfileReaders.Defaults d)
      throws LockfileFormatException {
    if (d.repo().isPresent()) {
      return d.repo().get();
    }
    java.util.Set<String> builtin = dev.reprox.config.ConfigLoader.builtin().repositories().keySet();
    List<String> apt = d.urls() == null ? List.of() : d.urls().repositories(dev.reprox.config.RepositoryConfig.Format.APT)
        .stream().filter(n -> !builtin.contains(n)).toList();
    if (apt.size() != 1) {
      throw new LockfileFormatException(file, line, "a .buildinfo names no repository and the configuration adds "
          + (apt.isEmpty() ? "no apt repository to the built-ins" : apt.size() + " apt repositories ("
          + String.join(", ", apt) + ")") + ": give --repo");
    }
    return apt.get(0);
  }

  private static void split(String value, int line, List<String> entries, List<Integer> lines) {
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        entries.add(part.strip());
        lines.add(line);
      }
    }
  }

  private static Instant date(String file, int line, String value) throws LockfileFormatException {
    try {
      return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new LockfileFormatException(file, line, "Build-Date is not an RFC 2822 date (\"Fri, 01 Mar 2024 06:00:00"
          + " +0000\"): " + LockfileReaders.abbreviate(value));
    }
  }

  private static int firstNonBlank(String[] lines) {
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].isBlank()) {
        return i;
      }
    }
    return -1;
  }
}
