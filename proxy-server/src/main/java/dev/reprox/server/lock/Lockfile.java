package dev.reprox.server.lock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * reprox's own lockfile ({@code docs/lockfile.schema.json}): per (repository, T) the upstream, the
 * roots with their generation and publication time, and every package with path, SHA-256 and size
 * (plus apk's Q1 and the rpm checksum type where they apply). Deterministic: repositories sorted
 * by name then T, roots and packages by path, fields in a fixed order, no time of writing and no
 * label, so two builds that used the same bytes give byte-identical lockfiles.
 */
public final class Lockfile {
  /** Bumped when a field changes meaning or a required one is added; readers refuse a newer one. */
  public static final int VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Lockfile() {}

  /**
   * The lockfile of a build record ({@link BuildRecordJson}). Live answers (no T) cannot be locked:
   * each is reported to {@code warnings} and left out.
   */
  public static ObjectNode fromRecord(JsonNode record, Consumer<String> warnings) {
    Map<String, Map<String, ObjectNode>> roots = new TreeMap<>();
    Map<String, Map<String, ObjectNode>> packages = new TreeMap<>();
    int live = 0;
    for (JsonNode e : record.path("served")) {
      String at = e.path("at").asText();
      if (at.equals("live")) {
        live++;
        continue;
      }
      String group = e.path("repository").asText() + "\n" + at;
      if (e.has("root") && e.has("generation")) {
        ObjectNode r = JSON.createObjectNode();
        r.put("path", e.path("root").asText());
        r.put("generation", e.path("generation").asText());
        if (e.has("publishedAt")) {
          r.put("publishedAt", e.path("publishedAt").asText());
        }
        roots.computeIfAbsent(group, k -> new TreeMap<>()).put(r.path("path").asText() + "\n" + r.path("generation"), r);
      }
      if (e.path("package").asBoolean()) {
        ObjectNode p = JSON.createObjectNode();
        p.put("path", e.path("path").asText());
        if (e.has("sha256")) {
          p.put("sha256", e.path("sha256").asText());
        }
        p.put("size", e.path("size").asLong());
        if (e.has("apkQ1")) {
          p.put("apkQ1", e.path("apkQ1").asText());
        }
        if (e.has("checksumType")) {
          p.put("checksumType", e.path("checksumType").asText());
        }
        packages.computeIfAbsent(group, k -> new TreeMap<>()).put(p.path("path").asText(), p);
      }
    }
    if (live > 0) {
      warnings.accept(live + " live answers (requests without a T) are not locked: only a build at a T can be"
          + " replayed");
    }
    java.util.TreeSet<String> groups = new java.util.TreeSet<>(roots.keySet());
    groups.addAll(packages.keySet());
    ObjectNode out = JSON.createObjectNode();
    out.put("lockfileVersion", VERSION);
    ArrayNode repos = out.putArray("repositories");
    for (String g : groups) {
      String[] parts = g.split("\n", 2);
      ObjectNode r = repos.addObject();
      r.put("name", parts[0]);
      JsonNode cfg = record.path("repositories").path(parts[0]);
      if (cfg.has("format")) {
        r.put("format", cfg.path("format").asText());
      }
      if (cfg.has("upstream")) {
        r.put("upstream", cfg.path("upstream").asText());
      }
      r.put("at", parts[1]);
      ArrayNode rs = r.putArray("roots");
      roots.getOrDefault(g, Map.of()).values().forEach(rs::add);
      ArrayNode ps = r.putArray("packages");
      packages.getOrDefault(g, Map.of()).values().forEach(ps::add);
    }
    return out;
  }

  /** The lockfile text: two-space indented JSON and a final newline. */
  public static String write(ObjectNode lockfile) {
    try {
      return JSON.writeValueAsString(lockfile).replace("\r\n", "\n") + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("write lockfile", e);
    }
  }
}
