package dev.reprox.server.lock;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
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
  private static final YAMLFactory YAML = (YAMLFactory) new ObjectMapper(new YAMLFactory()).getFactory();
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern Q1 = Pattern.compile("Q1[A-Za-z0-9+/]{27}=");
  private static final Pattern TOML_KV = Pattern.compile("([A-Za-z0-9_-]+)\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*(#.*)?");

  private ForeignLockfiles() {}

  /** One package object of {@code contents.packages}, its fields read by {@link JsonLockfiles#fields}. */
  static LockEntry apko(String file, Map<String, JsonLockfiles.Field> p, LockfileReaders.Defaults d)
      throws LockfileFormatException {
    String url = JsonLockfiles.text(p, "url", "");
    JsonLockfiles.Field at = p.get(url.isEmpty() ? "name" : "url");
    long line = at == null ? 0 : at.line();
    String q1 = JsonLockfiles.text(p, "checksum", "");
    if (!Q1.matcher(q1).matches()) {
      JsonLockfiles.Field c = p.get("checksum");
      throw new LockfileFormatException(file, c == null ? line : c.line(),
          "package " + JsonLockfiles.text(p, "name", "?") + ": checksum is not an apk Q1 (Q1 and 28 base64"
              + " characters): " + LockfileReaders.abbreviate(q1));
    }
    return entry(file, line, url, d, null, q1, -1);
  }

  /** rpm-lockfile-prototype's YAML, streamed by Jackson's YAML parser one package object at a time. */
  static void rpmLockfile(Path path, String file, LockfileReaders.Defaults d, LockfileReaders.Sink sink)
      throws IOException, LockfileFormatException, InterruptedException {
    boolean version = false;
    boolean arches = false;
    try (JsonParser p = YAML.createParser(path.toFile())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw notRpmLockfile(file);
      }
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        if (field.equals("lockfileVersion")) {
          if (!(v == JsonToken.VALUE_NUMBER_INT && p.getIntValue() == 1)) {
            throw notRpmLockfile(file);
          }
          version = true;
        } else if (field.equals("arches") && v == JsonToken.START_ARRAY) {
          arches = true;
          JsonLockfiles.elements(p, first -> {
            if (first != JsonToken.START_OBJECT) {
              p.skipChildren();
              return;
            }
            for (JsonToken a = p.nextToken(); a == JsonToken.FIELD_NAME; a = p.nextToken()) {
              boolean packages = p.currentName().equals("packages");
              p.nextToken();
              if (packages) {
                JsonLockfiles.elements(p, pkg -> sink.accept(rpmPackage(file, JsonLockfiles.fields(p), d)));
              } else {
                p.skipChildren();
              }
            }
          });
        } else {
          p.skipChildren();
        }
      }
    } catch (JsonProcessingException e) {
      throw new LockfileFormatException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          "not YAML: " + e.getOriginalMessage());
    }
    if (!version || !arches) {
      throw notRpmLockfile(file);
    }
  }

  private static LockfileFormatException notRpmLockfile(String file) {
    return new LockfileFormatException(file, 1, "not an rpms.lock.yaml of rpm-lockfile-prototype (lockfileVersion 1,"
        + " arches)");
  }

  private static LockEntry rpmPackage(String file, Map<String, JsonLockfiles.Field> p,
      LockfileReaders.Defaults d) throws LockfileFormatException {
    String url = JsonLockfiles.text(p, "url", "");
    JsonLockfiles.Field u = p.get("url");
    long line = u == null ? 0 : u.line();
    String checksum = JsonLockfiles.text(p, "checksum", "");
    if (!checksum.startsWith("sha256:") || !HEX64.matcher(checksum.substring(7)).matches()) {
      JsonLockfiles.Field c = p.get("checksum");
      throw new LockfileFormatException(file, c == null ? line : c.line(), "package "
          + LockfileReaders.abbreviate(url) + ": checksum must be sha256:<64 hex digits>: "
          + LockfileReaders.abbreviate(checksum));
    }
    JsonLockfiles.Field size = p.get("size");
    return entry(file, line, url, d, checksum.substring(7), null, size == null ? -1 : size.value().asLong(-1));
  }

  /** repro-env's TOML: only {@code [[package]]} tables of {@code key = "string"} lines are read. */
  static void reproEnv(String file, BufferedReader in, LockfileReaders.Defaults d, LockfileReaders.Sink sink)
      throws IOException, LockfileFormatException, InterruptedException {
    Map<String, String> table = null;
    long tableLine = 0;
    long n = 0;
    for (String raw = in.readLine(); ; raw = in.readLine()) {
      n++;
      String line = raw != null ? raw.strip() : "[end]";
      if (line.startsWith("[")) {
        if (table != null) {
          LockEntry e = reproEnvPackage(file, tableLine, table, d);
          if (e != null) {
            sink.accept(e);
          }
        }
        if (raw == null) {
          return;
        }
        table = line.equals("[[package]]") || line.equals("[[packages]]") ? new HashMap<>() : null;
        tableLine = n;
        continue;
      }
      if (table == null || line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher m = TOML_KV.matcher(line);
      if (!m.matches()) {
        throw new LockfileFormatException(file, n, "not key = \"value\": " + LockfileReaders.abbreviate(line));
      }
      table.put(m.group(1), m.group(2));
    }
  }

  /** The package of a table; null when its system is not supported and {@code d} collects those. */
  private static LockEntry reproEnvPackage(String file, long line, Map<String, String> t, LockfileReaders.Defaults d)
      throws LockfileFormatException {
    String system = t.getOrDefault("system", "");
    if (!system.equals("debian") && !system.equals("alpine")) {
      LockfileFormatException e = new LockfileFormatException(file, line, "package " + t.getOrDefault("name", "?")
          + ": system \"" + system + "\" is not supported (reprox prewarm reads repro-env's debian and alpine"
          + " packages)");
      if (d.unsupported() == null) {
        throw e;
      }
      d.unsupported().accept(e.getMessage());
      return null;
    }
    String sha = t.getOrDefault("sha256", "");
    if (!HEX64.matcher(sha).matches()) {
      throw new LockfileFormatException(file, line, "package " + t.getOrDefault("name", "?")
          + ": sha256 must be 64 lower-case hex digits: " + LockfileReaders.abbreviate(sha));
    }
    return entry(file, line, t.getOrDefault("url", ""), d, sha, null, -1);
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
