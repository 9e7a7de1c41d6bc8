package dev.reprox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.config.ConfigLoader.Overrides;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvOverridesTest {
  @TempDir Path dir;

  @Test
  void load_topLevelVariables_overrideDefaults() throws Exception {
    ReproxConfig config = load(Map.of("REPROX_LISTEN", "0.0.0.0:9000", "REPROX_DATA", "/srv/reprox",
        "REPROX_OFFLINE", "TRUE"));

    assertThat(config.listen()).isEqualTo(new InetSocketAddress("0.0.0.0", 9000));
    assertThat(config.data()).isEqualTo(Path.of("/srv/reprox"));
    assertThat(config.offline()).isTrue();
    assertThat(config.repositories().get("alpine").offline()).isTrue();
  }

  @Test
  void load_threadsVariables_setThePoolSizes_typoRefused() throws Exception {
    ReproxConfig config = load(Map.of("REPROX_THREADS_STORAGE", "8", "REPROX_THREADS_ROOT_FETCH", "3"));

    assertThat(config.threads()).isEqualTo(new ThreadsConfig(0, 8, 4, 2, 4, 3, 2));
    assertThatThrownBy(() -> load(Map.of("REPROX_THREADS_STORGE", "8")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).singleElement()
            .asString().startsWith("REPROX_THREADS_STORGE: not a configuration path (threads: event-loops,"));
    assertThatThrownBy(() -> load(Map.of("REPROX_THREADS_BODY", "0")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
            "threads.body: must be a whole number from 1 to 1024: \"0\" (set by REPROX_THREADS_BODY)"));
  }

  @Test
  void load_serverTransportVariable_setsTheTransport_typoRefused() throws Exception {
    assertThat(load(Map.of()).server().transport()).isEqualTo(ReproxConfig.Server.Transport.AUTO);
    assertThat(load(Map.of("REPROX_SERVER_TRANSPORT", "io_uring")).server().transport())
        .isEqualTo(ReproxConfig.Server.Transport.IO_URING);
    assertThatThrownBy(() -> load(Map.of("REPROX_SERVER_TRANSPROT", "nio")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
            "REPROX_SERVER_TRANSPROT: not a configuration path (known: REPROX_SERVER_TRANSPORT)"));
    assertThatThrownBy(() -> load(Map.of("REPROX_SERVER_TRANSPORT", "kqueue")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
            "server.transport: must be auto, epoll, io_uring or nio: \"kqueue\" (set by REPROX_SERVER_TRANSPORT)"));
  }

  @Test
  void load_hyphenatedRepositoryName_isMatchedAgainstKnownNames() throws Exception {
    ReproxConfig config = load(Map.of(
        "REPROX_REPOSITORIES_DEBIAN_SECURITY_UPSTREAM", "http://security.example/debian-security",
        "REPROX_REPOSITORIES_DEBIAN_ROOT_TTL", "5m",
        "REPROX_REPOSITORIES_UBUNTU_SECURITY_ROOT_TTL", "500ms"));

    assertThat(config.repositories().get("debian-security").upstream())
        .isEqualTo(URI.create("http://security.example/debian-security"));
    assertThat(config.repositories().get("debian").upstream())
        .isEqualTo(URI.create("http://deb.debian.org/debian"));
    assertThat(config.repositories().get("debian").rootTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.repositories().get("ubuntu-security").rootTtl()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.repositories().get("ubuntu").rootTtl()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void load_variableForRepositoryFromFile_appliesOverTheFile() throws Exception {
    Path file = dir.resolve("reprox.yaml");
    Files.writeString(file, """
        repositories:
          my-mirror:
            format: apk
            upstream: https://a.example/
        """);

    ReproxConfig config = ConfigLoader.load(Optional.of(file),
        Map.of("REPROX_REPOSITORIES_MY_MIRROR_PINNING", "strict"), Overrides.none());

    assertThat(config.repositories().get("my-mirror").pinning())
        .isEqualTo(RepositoryConfig.PinningPolicy.STRICT);
  }

  @Test
  void load_emptyValue_meansNotSet() throws Exception {
    ReproxConfig config = load(Map.of("REPROX_REPOSITORIES_DEBIAN_SNAPSHOT", "", "REPROX_LISTEN", ""));

    assertThat(config.repositories().get("debian").snapshot()).isEmpty();
    assertThat(config.listen()).isEqualTo(new InetSocketAddress("127.0.0.1", 3142));
  }

  @Test
  void load_invalidValueFromEnvironment_namesFieldAndVariable() {
    assertThatThrownBy(() -> load(Map.of("REPROX_REPOSITORIES_DEBIAN_UPSTREAM", "ftp:/x")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
            "repositories.debian.upstream: not an http(s) URL: \"ftp:/x\""
                + " (set by REPROX_REPOSITORIES_DEBIAN_UPSTREAM)"));
  }

  @Test
  void load_unknownRepositoryOrField_namesTheVariable() {
    assertThatThrownBy(() -> load(Map.of("REPROX_REPOSITORIES_DEBAIN_UPSTREAM", "http://x.example/",
        "REPROX_REPOSITORIES_DEBIAN_UPSTRAEM", "http://x.example/", "REPROX_DATA_DIR", "/x")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).satisfiesExactly(
            error -> assertThat(error).startsWith("REPROX_DATA_DIR: not a configuration path"),
            error -> assertThat(error).startsWith("REPROX_REPOSITORIES_DEBAIN_UPSTREAM: matches no")
                .contains("debian-security"),
            error -> assertThat(error).startsWith("REPROX_REPOSITORIES_DEBIAN_UPSTRAEM: matches no")));
  }

  @Test
  void load_unrelatedVariables_areIgnored() throws Exception {
    ReproxConfig config = load(Map.of("REPROX_JAVA_OPTS", "-Xmx1g", "HOME", "/root", "PATH", "/bin"));

    assertThat(config).isEqualTo(ConfigLoader.builtin());
  }

  private static ReproxConfig load(Map<String, String> env) throws ConfigException {
    return ConfigLoader.load(Optional.empty(), env, Overrides.none());
  }
}
