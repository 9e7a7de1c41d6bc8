package dev.reprox.server.lock;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The part of JSON Schema that {@code docs/lockfile.schema.json} uses (type, required, properties,
 * additionalProperties false, items, enum, pattern, minLength, minimum), checked by hand: no
 * schema validator is among the allowed dependencies. A keyword it does not know fails the check,
 * so the schema cannot grow past what is tested.
 */
public final class MiniSchema {
  private static final List<String> KNOWN = List.of("$schema", "$id", "title", "description", "type", "required",
      "additionalProperties", "properties", "items", "enum", "pattern", "minLength", "minimum");

  private MiniSchema() {}

  /** Every violation, as {@code <json pointer>: <what>}; empty when {@code value} conforms. */
  public static List<String> check(JsonNode schema, JsonNode value) {
    List<String> out = new ArrayList<>();
    check(schema, value, "", out);
    return out;
  }

  private static void check(JsonNode schema, JsonNode v, String at, List<String> out) {
    for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!KNOWN.contains(k)) {
        out.add(at + ": schema keyword " + k + " is not supported by MiniSchema");
      }
    }
    String type = schema.path("type").asText("");
    boolean typed = switch (type) {
      case "object" -> v.isObject();
      case "array" -> v.isArray();
      case "string" -> v.isTextual();
      case "integer" -> v.isIntegralNumber();
      case "" -> true;
      default -> false;
    };
    if (!typed) {
      out.add(at + ": not of type " + type + ": " + v);
      return;
    }
    if (schema.has("enum")) {
      boolean found = false;
      for (JsonNode e : schema.get("enum")) {
        found |= e.equals(v);
      }
      if (!found) {
        out.add(at + ": " + v + " not in " + schema.get("enum"));
      }
    }
    if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asText()).matcher(v.asText()).find()) {
      out.add(at + ": " + v + " does not match " + schema.get("pattern").asText());
    }
    if (schema.has("minLength") && v.asText().length() < schema.get("minLength").asInt()) {
      out.add(at + ": shorter than " + schema.get("minLength").asInt());
    }
    if (schema.has("minimum") && v.asLong() < schema.get("minimum").asLong()) {
      out.add(at + ": below " + schema.get("minimum").asLong());
    }
    for (JsonNode r : schema.path("required")) {
      if (!v.has(r.asText())) {
        out.add(at + ": missing " + r.asText());
      }
    }
    if (v.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        JsonNode sub = schema.path("properties").get(f.getKey());
        if (sub != null) {
          check(sub, f.getValue(), at + "/" + f.getKey(), out);
        } else if (schema.path("additionalProperties").isBoolean() && !schema.get("additionalProperties").asBoolean()) {
          out.add(at + ": property " + f.getKey() + " not allowed");
        }
      }
    }
    if (v.isArray() && schema.has("items")) {
      for (int i = 0; i < v.size(); i++) {
        check(schema.get("items"), v.get(i), at + "/" + i, out);
      }
    }
  }
}
