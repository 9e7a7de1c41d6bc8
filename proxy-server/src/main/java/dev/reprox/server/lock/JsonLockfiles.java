package dev.reprox.server.lock;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The JSON lockfiles, reprox's own and apko's, read with Jackson's token parser: one package
 * object at a time becomes a tree ({@link #fields}, each field with its line for messages), the
 * rest is walked token by token, so memory does not grow with the number of packages. The
 * helpers serve the YAML of {@link ForeignLockfiles} too (Jackson's YAML parser gives the same
 * tokens).
 */
final class JsonLockfiles {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  /** A field of a package object, with the line its value starts on (for messages). */
  record Field(JsonNode value, long line) {}

  private JsonLockfiles() {}

  /**
   * A JSON lockfile: apko's ({@code contents.packages}) or else reprox's ({@code lockfileVersion}
   * 1, {@code repositories}), told apart by their top-level fields.
   */
  static void read(Path file, String name, LockfileReaders.Defaults d, LockfileReaders.Sink sink)
      throws IOException, LockfileFormatException, InterruptedException {
    read(JSON.getFactory().createParser(file.toFile()), name, d, sink);
  }

  /** The entries of a JSON lockfile's text, in a list (tests; a lockfile already in memory). */
  static List<LockEntry> read(String name, String text) throws IOException, LockfileFormatException {
    List<LockEntry> out = new ArrayList<>();
    try {
      read(JSON.getFactory().createParser(text), name, null, out::add);
    } catch (InterruptedException e) {
      throw new AssertionError("a list does not interrupt", e);
    }
    return out;
  }

  private static void read(JsonParser parser, String name, LockfileReaders.Defaults d, LockfileReaders.Sink sink)
      throws IOException, LockfileFormatException, InterruptedException {
    try (JsonParser p = parser) {
      p.nextToken();
      Integer version = null;
      long versionLine = 1;
      boolean apko = false;
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        if (field.equals("lockfileVersion")) {
          versionLine = line(p);
          version = v == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
          checkVersion(name, version, versionLine, p.getText());
        } else if (field.equals("repositories")) {
          elements(p, first -> {
            if (first == JsonToken.START_OBJECT) {
              repository(name, p, sink);
            } else {
              p.skipChildren();
            }
          });
        } else if (field.equals("contents") && v == JsonToken.START_OBJECT) {
          apko = true;
          for (JsonToken c = p.nextToken(); c == JsonToken.FIELD_NAME; c = p.nextToken()) {
            boolean packages = p.currentName().equals("packages");
            p.nextToken();
            if (packages) {
              elements(p, first -> sink.accept(ForeignLockfiles.apko(name, fields(p), d)));
            } else {
              p.skipChildren();
            }
          }
        } else {
          p.skipChildren();
        }
      }
      if (!apko && version == null) {
        checkVersion(name, -1, versionLine, "null");
      }
    } catch (JsonProcessingException e) {
      throw new LockfileFormatException(name, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          "not JSON: " + e.getOriginalMessage());
    }
  }

  private static void checkVersion(String file, int version, long line, String shown) throws LockfileFormatException {
    if (version != Lockfile.VERSION) {
      throw new LockfileFormatException(file, line, "lockfileVersion " + shown + " is not one this reprox reads ("
          + Lockfile.VERSION + ")");
    }
  }

  /**
   * One repository of reprox's lockfile. Its packages stream when its name, T and roots come
   * first (as {@link Lockfile} writes them); a hand-written one with the packages first has them
   * held until the end of the repository.
   */
  private static void repository(String file, JsonParser p, LockfileReaders.Sink sink)
      throws IOException, LockfileFormatException, InterruptedException {
    String repo = null;
    Instant at = null;
    String rootPath = null;
    String generation = null;
    boolean rootsSeen = false;
    long line = line(p);
    List<Map<String, Field>> held = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
      String field = p.currentName();
      p.nextToken();
      switch (field) {
        case "name" -> {
          repo = p.getValueAsString("");
          line = line(p);
        }
        case "at" -> {
          try {
            at = Instant.parse(p.getValueAsString(""));
          } catch (RuntimeException e) {
            throw new LockfileFormatException(file, line(p), "repository " + repo + ": at is not an ISO-8601 time: "
                + JSON.readTree(p));
          }
        }
        case "roots" -> {
          JsonNode roots = JSON.readTree(p);
          rootPath = roots.path(0).path("path").asText(null);
          generation = roots.path(0).path("generation").asText(null);
          rootsSeen = true;
          if (rootPath == null) {
            throw new LockfileFormatException(file, line, "repository " + repo + " names no root");
          }
        }
        case "packages" -> {
          String r = repo;
          Instant a = at;
          String rp = rootPath;
          String g = generation;
          boolean head = repo != null && at != null && rootsSeen;
          elements(p, first -> {
            Map<String, Field> f = fields(p);
            if (head) {
              sink.accept(reproxEntry(file, f, r, rp, a, g));
            } else {
              held.add(f);
            }
          });
        }
        default -> p.skipChildren();
      }
    }
    if (at == null) {
      throw new LockfileFormatException(file, line, "repository " + repo + ": at is not an ISO-8601 time: ");
    }
    if (!rootsSeen) {
      throw new LockfileFormatException(file, line, "repository " + repo + " names no root");
    }
    for (Map<String, Field> f : held) {
      sink.accept(reproxEntry(file, f, repo == null ? "" : repo, rootPath, at, generation));
    }
  }

  private static LockEntry reproxEntry(String file, Map<String, Field> f, String repo, String root, Instant at,
      String generation) throws LockfileFormatException {
    Field pathField = f.get("path");
    Field shaField = f.get("sha256");
    String path = text(f, "path", "");
    String sha = text(f, "sha256", null);
    long line = pathField != null ? pathField.line() : 0;
    if (path.isEmpty() || (sha != null && !HEX64.matcher(sha).matches()) || (sha == null && !f.containsKey("apkQ1"))) {
      throw new LockfileFormatException(file, shaField != null ? shaField.line() : line, "package "
          + (path.isEmpty() ? "without a path" : path) + ": sha256 must be 64 lower-case hex digits: "
          + (shaField == null ? "" : shaField.value()));
    }
    Field size = f.get("size");
    return new LockEntry(repo, root, at, path, generation, sha, text(f, "apkQ1", null),
        size == null ? -1 : size.value().asLong(-1), file + ":" + line);
  }

  /** Reads one array element; the parser is at its first token and must be left at its last. */
  @FunctionalInterface
  interface Element {
    void read(JsonToken first) throws IOException, LockfileFormatException, InterruptedException;
  }

  /** Each element of the array the parser is at; a value that is no array is skipped whole. */
  static void elements(JsonParser p, Element each) throws IOException, LockfileFormatException, InterruptedException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      p.skipChildren();
      return;
    }
    for (JsonToken t = p.nextToken(); t != null && t != JsonToken.END_ARRAY; t = p.nextToken()) {
      each.read(t);
    }
  }

  /**
   * The fields of the object the parser is at (its START_OBJECT), each with its line; leaves it
   * at END_OBJECT. Any other value has no fields (it is skipped whole).
   */
  static Map<String, Field> fields(JsonParser p) throws IOException {
    Map<String, Field> out = new LinkedHashMap<>();
    if (p.currentToken() != JsonToken.START_OBJECT) {
      p.skipChildren();
      return out;
    }
    for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
      String name = p.currentName();
      p.nextToken();
      long line = line(p);
      out.put(name, new Field(JSON.readTree(p), line));
    }
    return out;
  }

  /** The text of a scalar field, or {@code absent} when it is missing or null. */
  static String text(Map<String, Field> f, String name, String absent) {
    Field x = f.get(name);
    return x == null || x.value().isNull() ? absent : x.value().asText(absent);
  }

  static long line(JsonParser p) {
    return p.currentTokenLocation().getLineNr();
  }
}
