package dev.reprox.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads one YAML document into a tree. Syntax errors name the source, line and column; a key
 * given twice is an error too, because with "last one wins" a pasted duplicate would silently
 * undo the line above it.
 */
final class YamlSource {
  private static final ObjectMapper MAPPER =
      YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  private YamlSource() {}

  static ObjectNode readFile(Path file) throws ConfigException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException(List.of(file + ": cannot read the config file: " + e));
    }
    return parse(file.toString(), bytes);
  }

  static ObjectNode readResource(String resource) {
    try (InputStream in = YamlSource.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("read resource " + resource + ": not in the jar");
      }
      return parse(resource, in.readAllBytes());
    } catch (IOException | ConfigException e) {
      throw new IllegalStateException("read resource " + resource + ": " + e.getMessage(), e);
    }
  }

  static ObjectNode parse(String source, byte[] bytes) throws ConfigException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new ConfigException(List.of(syntaxError(source, e)));
    } catch (IOException e) {
      throw new ConfigException(List.of(source + ": cannot read: " + e));
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      return JsonNodeFactory.instance.objectNode(); // an empty file means "all defaults"
    }
    if (!tree.isObject()) {
      throw new ConfigException(
          List.of(source + ": the top level must be a mapping (" + String.join(", ", ConfigValidator.KEYS) + ")"));
    }
    return (ObjectNode) tree;
  }

  // SnakeYAML knows where the problem is (its "problem mark"); Jackson's own location is where
  // the parser stood, often the start of the enclosing construct. Prefer the former.
  private static String syntaxError(String source, JsonProcessingException e) {
    if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
      Mark at = yaml.getProblemMark();
      String context = yaml.getContext() == null ? "" : yaml.getContext() + ": ";
      return source + ":" + (at.getLine() + 1) + ":" + (at.getColumn() + 1) + ": not valid YAML: "
          + context + yaml.getProblem();
    }
    JsonLocation at = e.getLocation();
    String where = at == null ? source : source + ":" + at.getLineNr() + ":" + at.getColumnNr();
    String message = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage();
    return where + ": not valid YAML: " + message.strip().lines().findFirst().orElse("").strip();
  }
}
