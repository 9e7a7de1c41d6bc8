package dev.reprox.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads scalar fields of the merged tree and collects errors, each as {@code <path>: <what is
 * wrong>}, followed by where the value came from when it was not the file ({@code REPROX_…} or a
 * CLI flag) so the user knows what to fix.
 */
final class Fields {
  private final List<String> errors;
  private final Map<String, String> origins;

  /**
   * @param errors collects errors; may already hold some (from the environment)
   * @param origins field path → {@code REPROX_…} variable or CLI flag that set it
   */
  Fields(List<String> errors, Map<String, String> origins) {
    this.errors = errors;
    this.origins = origins;
  }

  /**
   * The text of a secret's file ({@code *-file} keys), stripped, or empty with an error at
   * {@code path} naming the file (never its content) when it cannot be read as UTF-8.
   */
  Optional<String> secretFile(String path, String name) {
    try {
      byte[] bytes = Files.readAllBytes(Path.of(name));
      return Optional.of(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString().strip());
    } catch (InvalidPathException e) {
      error(path, "not a path (" + e.getReason() + "): " + quote(name));
    } catch (CharacterCodingException e) {
      error(path, "not UTF-8 text: " + name);
    } catch (IOException e) {
      error(path, "cannot read " + name + ": " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
    return Optional.empty();
  }

  void error(String path, String what) {
    String origin = origins.get(path);
    errors.add(path + ": " + what + (origin == null ? "" : " (set by " + origin + ")"));
  }

  /** The field's text, or empty when absent or null (null means "not set"). */
  Optional<String> text(String path, JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return Optional.empty();
    }
    if (node.isContainerNode()) {
      error(path, "must be a single value, not a " + (node.isObject() ? "mapping" : "list"));
      return Optional.empty();
    }
    String text = node.asText();
    if (text.isBlank()) {
      error(path, "must not be empty");
      return Optional.empty();
    }
    return Optional.of(text.strip());
  }

  /** A YAML boolean, or the text {@code true}/{@code false} (environment values are text). */
  Optional<Boolean> bool(String path, JsonNode node) {
    if (node != null && node.isBoolean()) {
      return Optional.of(node.booleanValue());
    }
    return text(path, node).flatMap(text -> {
      switch (text.toLowerCase(Locale.ROOT)) {
        case "true":
          return Optional.of(true);
        case "false":
          return Optional.of(false);
        default:
          error(path, "not true or false: " + quote(text));
          return Optional.empty();
      }
    });
  }

  /** Reports every key of {@code node} not in {@code known}: a typo must not pass silently. */
  void unknownKeys(String path, JsonNode node, List<String> known) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!known.contains(key)) {
        error(join(path, key), "unknown key (known: " + String.join(", ", known) + ")");
      }
    }
  }

  boolean hasErrors() {
    return !errors.isEmpty();
  }

  List<String> errors() {
    return new ArrayList<>(errors);
  }

  static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Quotes a user's value so that empty strings and spaces stay visible in a message. */
  static String quote(String value) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      if (c == '"' || c == '\\') {
        quoted.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        quoted.append(String.format("\\u%04x", (int) c));
      } else {
        quoted.append(c);
      }
    }
    return quoted.append('"').toString();
  }
}
