package dev.reprox.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Validates {@code api:}: each token given either as a value or as a file (a mounted secret),
 * never both. A token is one or more visible ASCII characters (it travels in an
 * {@code Authorization} header); a file's surrounding whitespace, such as its final newline, is
 * not part of it. The placeholder {@code ***} that {@code config check} prints is refused, so that
 * a printed configuration fed back does not set a token everybody knows.
 */
final class ApiValidator {
  static final List<String> KEYS = List.of("admin-token", "admin-token-file", "read-token", "read-token-file");
  static final String REDACTED = "***";

  private final Fields fields;

  ApiValidator(Fields fields) {
    this.fields = fields;
  }

  ApiConfig validate(JsonNode node) {
    if (node == null || node.isNull()) {
      return ApiConfig.NONE;
    }
    if (!node.isObject()) {
      fields.error("api", "must be a mapping (admin-token, admin-token-file, read-token, read-token-file)");
      return ApiConfig.NONE;
    }
    fields.unknownKeys("api", node, KEYS);
    return new ApiConfig(token(node, "admin-token"), token(node, "read-token"));
  }

  private Optional<ApiConfig.Token> token(JsonNode api, String key) {
    String path = "api." + key;
    Optional<String> value = fields.text(path, api.get(key));
    Optional<String> file = fields.text(path + "-file", api.get(key + "-file"));
    if (value.isPresent() && file.isPresent()) {
      fields.error(path, "set either " + key + " or " + key + "-file, not both");
      return Optional.empty();
    }
    if (value.isPresent()) {
      return checked(path, value.get(), Optional.empty());
    }
    return file.flatMap(f -> read(path + "-file", f)).flatMap(read -> checked(path + "-file", read.value(), read.file()));
  }

  private Optional<ApiConfig.Token> read(String path, String name) {
    return fields.secretFile(path, name).map(text -> new ApiConfig.Token(text, Optional.of(Path.of(name))));
  }

  // The value itself never goes into a message: a typo in a secret must not end up in a log.
  private Optional<ApiConfig.Token> checked(String path, String token, Optional<Path> file) {
    if (token.isEmpty()) {
      fields.error(path, "the token is empty");
      return Optional.empty();
    }
    if (token.equals(REDACTED)) {
      fields.error(path, "\"***\" is the placeholder config check prints, not a token: set the real one");
      return Optional.empty();
    }
    if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      fields.error(path, "a token is visible ASCII characters only (no spaces, controls or non-ASCII letters)");
      return Optional.empty();
    }
    return Optional.of(new ApiConfig.Token(token, file));
  }
}
