package dev.reprox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.config.ConfigLoader.Overrides;
import dev.reprox.config.RepositoryConfig.Format;
import dev.reprox.config.RepositoryConfig.PinningPolicy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void load_noFile_givesDefaultsAndBuiltins() throws Exception {
    ReproxConfig config = ConfigLoader.load(Optional.empty(), Map.of(), Overrides.none());

    assertThat(config.listen()).isEqualTo(new InetSocketAddress("127.0.0.1", 3142));
    assertThat(config.data()).isEqualTo(Path.of("./reprox-data"));
    assertThat(config.offline()).isFalse();
    assertThat(config.repositories()).containsOnlyKeys("debian", "debian-security", "ubuntu",
        "ubuntu-security", "alpine", "wolfi", "fedora", "rocky", "alma");
    RepositoryConfig debian = config.repositories().get("debian");
    assertThat(debian).isEqualTo(new RepositoryConfig("debian", Format.APT,
        URI.create("http://deb.debian.org/debian"),
        Optional.of(URI.create("http://snapshot.debian.org/archive/debian/")),
        new Keyring.Builtin("debian"), PinningPolicy.BEST_EFFORT, Duration.ofSeconds(60), false));
    assertThat(config.repositories().get("ubuntu-security").snapshot())
        .contains(URI.create("http://snapshot.ubuntu.com/ubuntu/"));
    assertThat(config.repositories().get("alpine").format()).isEqualTo(Format.APK);
    assertThat(config.repositories().get("alpine").snapshot()).isEmpty();
    assertThat(config.repositories().get("alma").format()).isEqualTo(Format.DNF);
    assertThat(config.repositories().get("wolfi").keyring()).isEqualTo(new Keyring.Builtin("wolfi"));
  }

  @Test
  void load_fileRepositoryOfSameName_replacesBuiltinEntirely() throws Exception {
    Path file = write("""
        listen: 0.0.0.0:8080
        data: /var/lib/reprox
        repositories:
          debian:
            format: apt
            upstream: http://mirror.example/debian/
          internal:
            format: dnf
            upstream: https://rpm.example/repo
            pinning: strict
            root-ttl: 5m
        """);

    ReproxConfig config = ConfigLoader.load(Optional.of(file), Map.of(), Overrides.none());

    assertThat(config.listen()).isEqualTo(new InetSocketAddress("0.0.0.0", 8080));
    assertThat(config.data()).isEqualTo(Path.of("/var/lib/reprox"));
    RepositoryConfig debian = config.repositories().get("debian");
    assertThat(debian.upstream()).isEqualTo(URI.create("http://mirror.example/debian"));
    assertThat(debian.snapshot()).as("not inherited from the built-in").isEmpty();
    assertThat(debian.keyring()).as("not inherited from the built-in").isEqualTo(new Keyring.None());
    RepositoryConfig internal = config.repositories().get("internal");
    assertThat(internal.pinning()).isEqualTo(PinningPolicy.STRICT);
    assertThat(internal.rootTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.repositories().keySet()).startsWith("debian", "debian-security")
        .endsWith("alma", "internal");
  }

  @Test
  void load_emptyFile_givesDefaults() throws Exception {
    ReproxConfig config = ConfigLoader.load(Optional.of(write("")), Map.of(), Overrides.none());

    assertThat(config).isEqualTo(ConfigLoader.builtin());
  }

  @Test
  void load_relativeKeyringPath_isRelativeToTheFilesDirectory() throws Exception {
    Files.createDirectories(dir.resolve("keys"));
    Files.write(dir.resolve("keys/me.rsa.pub"), new byte[] {1, 2, 3});
    Path file = write("""
        repositories:
          mine:
            format: apk
            upstream: https://apk.example/
            keyring: keys
        """);

    ReproxConfig config = ConfigLoader.load(Optional.of(file), Map.of(), Overrides.none());

    assertThat(config.repositories().get("mine").keyring())
        .isEqualTo(new Keyring.File(dir.resolve("keys").toAbsolutePath()));
  }

  @Test
  void load_missingKeyringFile_namesFieldAndPath() throws Exception {
    Path file = write("""
        repositories:
          mine:
            format: apt
            upstream: http://x.example/
            keyring: nope.gpg
        """);

    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of(), Overrides.none()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
            "repositories.mine.keyring: file not found: " + dir.toAbsolutePath().resolve("nope.gpg")));
  }

  @Test
  void load_yamlSyntaxError_namesFileLineAndColumn() throws Exception {
    Path file = write("""
        listen: 127.0.0.1:3142
        repositories:
          debian: [unclosed
        """);

    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of(), Overrides.none()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).singleElement()
            .asString().startsWith(file + ":4:").contains("not valid YAML"));
  }

  @Test
  void load_duplicateKey_isAnErrorWithItsLine() throws Exception {
    Path file = write("""
        listen: 127.0.0.1:3142
        listen: 0.0.0.0:3142
        """);

    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of(), Overrides.none()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).singleElement()
            .asString().startsWith(file + ":2:").contains("listen"));
  }

  @Test
  void load_absentFile_namesTheFile() {
    Path file = dir.resolve("absent.yaml");

    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of(), Overrides.none()))
        .isInstanceOf(ConfigException.class).hasMessageContaining(file.toString());
  }

  @Test
  void load_topLevelNotAMapping_isAnError() throws Exception {
    Path file = write("- listen\n");

    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of(), Overrides.none()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("top level must be a mapping");
  }

  @Test
  void load_severalErrors_reportsAllAtOnce() throws Exception {
    Path file = write("""
        listen: nowhere
        offline: maybe
        repositories:
          debian:
            format: zip
            upstream: ftp:/x
        """);

    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of(), Overrides.none()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
            "listen: not HOST:PORT: \"nowhere\"",
            "offline: not true or false: \"maybe\"",
            "repositories.debian.format: must be one of apt, apk, dnf: \"zip\"",
            "repositories.debian.upstream: not an http(s) URL: \"ftp:/x\""));
  }

  @Test
  void load_cliOverrides_winOverFileAndEnvironment() throws Exception {
    Path file = write("""
        listen: 0.0.0.0:1
        data: /from/file
        offline: false
        """);
    Map<String, String> env = Map.of("REPROX_LISTEN", "0.0.0.0:2", "REPROX_DATA", "/from/env",
        "REPROX_OFFLINE", "false");
    Overrides cli = new Overrides(Optional.of(new InetSocketAddress("127.0.0.1", 3)),
        Optional.of(Path.of("/from/cli")), Optional.of(true));

    ReproxConfig config = ConfigLoader.load(Optional.of(file), env, cli);

    assertThat(config.listen()).isEqualTo(new InetSocketAddress("127.0.0.1", 3));
    assertThat(config.data()).isEqualTo(Path.of("/from/cli"));
    assertThat(config.offline()).isTrue();
    assertThat(config.repositories().values()).allMatch(RepositoryConfig::offline);
  }

  @Test
  void load_perRepositoryOffline_affectsOnlyThatRepository() throws Exception {
    Path file = write("""
        repositories:
          mine:
            format: apt
            upstream: http://x.example/
            offline: true
        """);

    ReproxConfig config = ConfigLoader.load(Optional.of(file), Map.of(), Overrides.none());

    assertThat(config.repositories().get("mine").offline()).isTrue();
    assertThat(config.repositories().get("debian").offline()).isFalse();
  }

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("reprox.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
