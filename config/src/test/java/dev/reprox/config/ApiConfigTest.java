package dev.reprox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.config.ConfigLoader.Overrides;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code api:}: the admin and read tokens, their file and environment forms, and their redaction. */
class ApiConfigTest {
  private static final String SECRET = "s3cret-Token_0123456789";

  @TempDir Path dir;

  private ReproxConfig load(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("reprox.yaml");
    Files.writeString(file, yaml);
    return ConfigLoader.load(Optional.of(file), env, Overrides.none());
  }

  private static ConfigException failure(ThrowingLoad load) {
    try {
      load.run();
    } catch (ConfigException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("loaded without an error");
  }

  interface ThrowingLoad {
    void run() throws Exception;
  }

  @Test
  void api_absent_noTokens() throws Exception {
    assertThat(ConfigLoader.builtin().api()).isEqualTo(ApiConfig.NONE);
    assertThat(ApiConfig.NONE.describe()).isEqualTo("admin API disabled (no token), read API open");
  }

  @Test
  void api_valueAndFileBesideConfig_loaded() throws Exception {
    Files.writeString(dir.resolve("read.token"), "reader-token\n");

    ReproxConfig config = load("api:\n  admin-token: " + SECRET + "\n  read-token-file: read.token\n", Map.of());

    assertThat(config.api().adminToken()).get().extracting(ApiConfig.Token::value).isEqualTo(SECRET);
    // The file's final newline is not part of the token; a relative file sits beside the config.
    assertThat(config.api().readToken()).get().satisfies(t -> {
      assertThat(t.value()).isEqualTo("reader-token");
      assertThat(t.file()).contains(dir.resolve("read.token").toAbsolutePath().normalize());
    });
  }

  @Test
  void api_environmentShortAndDerivedForms_set() throws Exception {
    Path adminFile = dir.resolve("admin.token");
    Files.writeString(adminFile, SECRET);

    ReproxConfig config = load("{}\n", Map.of("REPROX_API_ADMIN_TOKEN_FILE", adminFile.toString(),
        "REPROX_READ_TOKEN", "reader"));

    assertThat(config.api().adminToken()).get().extracting(ApiConfig.Token::value).isEqualTo(SECRET);
    assertThat(config.api().readToken()).get().extracting(ApiConfig.Token::value).isEqualTo("reader");
    assertThat(load("{}\n", Map.of("REPROX_ADMIN_TOKEN", SECRET)).api().adminToken())
        .get().extracting(ApiConfig.Token::value).isEqualTo(SECRET);
  }

  @Test
  void api_bothEnvironmentFormsDiffer_error() {
    ConfigException e = failure(() -> load("{}\n", Map.of("REPROX_ADMIN_TOKEN", "one1", "REPROX_API_ADMIN_TOKEN", "two2")));

    assertThat(e.errors()).singleElement().asString()
        .contains("REPROX_API_ADMIN_TOKEN", "REPROX_ADMIN_TOKEN", "api.admin-token").doesNotContain("one1", "two2");
  }

  @Test
  void api_valueAndFileBoth_error() throws Exception {
    Files.writeString(dir.resolve("a.token"), SECRET);

    ConfigException e = failure(() -> load("api:\n  admin-token: x" + SECRET + "\n  admin-token-file: a.token\n", Map.of()));

    assertThat(e.errors()).containsExactly("api.admin-token: set either admin-token or admin-token-file, not both");
  }

  @Test
  void api_badTokens_errorsNeverShowTheValue() throws Exception {
    Files.writeString(dir.resolve("empty.token"), "\n");

    ConfigException e = failure(() -> load("api:\n  admin-token: \"" + SECRET + " x\"\n  read-token-file: empty.token\n"
        + "  write-token: y\n", Map.of()));

    assertThat(e.errors()).containsExactlyInAnyOrder(
        "api.admin-token: a token is visible ASCII characters only (no spaces, controls or non-ASCII letters)",
        "api.read-token-file: the token is empty",
        "api.write-token: unknown key (known: admin-token, admin-token-file, read-token, read-token-file)");
    assertThat(String.join("\n", e.errors())).doesNotContain(SECRET);
  }

  @Test
  void api_missingFile_errorNamesIt() {
    ConfigException e = failure(() -> load("api:\n  admin-token-file: /nonexistent/admin.token\n", Map.of()));

    assertThat(e.errors()).singleElement().asString()
        .startsWith("api.admin-token-file: cannot read /nonexistent/admin.token");
  }

  @Test
  void api_printedPlaceholderFedBack_refused() {
    ConfigException e = failure(() -> load("api:\n  admin-token: '***'\n", Map.of()));

    assertThat(e.errors()).singleElement().asString().contains("placeholder");
  }

  @Test
  void toYaml_tokens_redactedFilesShown() throws Exception {
    Path read = dir.resolve("read.token");
    Files.writeString(read, "reader-token");

    ReproxConfig config = load("api:\n  admin-token: " + SECRET + "\n  read-token-file: " + read + "\n", Map.of());
    String yaml = ConfigPrinter.toYaml(config);

    assertThat(yaml).contains("admin-token: '***'", "read-token-file: " + read).doesNotContain(SECRET, "reader-token");
    assertThat(config.toString()).doesNotContain(SECRET, "reader-token");
  }
}
