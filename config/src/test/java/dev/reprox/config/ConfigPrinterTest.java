package dev.reprox.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.config.ConfigLoader.Overrides;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigPrinterTest {
  @TempDir Path dir;

  @Test
  void toYaml_builtin_loadsBackEqual() throws Exception {
    ReproxConfig config = ConfigLoader.builtin();

    String yaml = ConfigPrinter.toYaml(config);

    assertThat(yaml).contains("listen: 127.0.0.1:3142", "root-ttl: 1m", "keyring: builtin:debian",
        "debian-security:", "pinning: best-effort");
    // Fedora publishes no repomd.xml.asc: only it turns repo-gpgcheck off, and only "false" is printed.
    assertThat(yaml).containsOnlyOnce("repo-gpgcheck: false");
    assertThat(config.repositories().get("fedora").repoGpgcheck()).isFalse();
    assertThat(config.repositories().get("rocky").repoGpgcheck()).isTrue();
    assertThat(reload(yaml)).isEqualTo(config);
  }

  @Test
  void toYaml_customised_loadsBackEqual() throws Exception {
    Files.write(dir.resolve("k.gpg"), new byte[] {1});
    Path file = dir.resolve("in.yaml");
    Files.writeString(file, """
        listen: "[::1]:0"
        data: relative/data
        repositories:
          mine:
            format: dnf
            upstream: https://rpm.example/repo/
            snapshot: https://snap.example/repo
            keyring: k.gpg
            pinning: strict
            root-ttl: 1500ms
            offline: true
          alpine:
            format: apk
            upstream: https://a.example/alpine
            keyring: none
            root-ttl: 2h
            negative-ttl: 5s
            watch:
              roots: seen
          deb:
            format: apt
            upstream: https://d.example/debian
            watch:
              roots: [dists/a/InRelease, dists/b/InRelease]
              interval: 90s
              listings: true
        """);
    ReproxConfig config = ConfigLoader.load(Optional.of(file), Map.of(), Overrides.none());

    String yaml = ConfigPrinter.toYaml(config);

    assertThat(yaml).contains("root-ttl: 1500ms", "root-ttl: 2h", "keyring: none", "negative-ttl: 5s", "negative-ttl: 30s");
    assertThat(config.repositories().get("alpine").negativeTtl()).isEqualTo(java.time.Duration.ofSeconds(5));
    assertThat(config.repositories().get("alpine").watch()).hasValue(
        new WatchConfig(java.util.List.of(), true, WatchConfig.DEFAULT_INTERVAL, false));
    assertThat(config.repositories().get("deb").watch()).hasValue(new WatchConfig(
        java.util.List.of("dists/a/InRelease", "dists/b/InRelease"), false, java.time.Duration.ofSeconds(90), true));
    assertThat(config.repositories().get("mine").watch()).isEmpty();
    assertThat(yaml).contains("roots: seen", "interval: 10m", "- dists/a/InRelease", "interval: 90s", "listings: true");
    assertThat(reload(yaml)).isEqualTo(config);
  }

  @Test
  void toYaml_globalOffline_isWrittenOnceAndLoadsBackEqual() throws Exception {
    ReproxConfig config = ConfigLoader.load(Optional.empty(), Map.of("REPROX_OFFLINE", "true"),
        Overrides.none());

    String yaml = ConfigPrinter.toYaml(config);

    assertThat(yaml).containsOnlyOnce("offline: true");
    assertThat(reload(yaml)).isEqualTo(config);
  }

  @Test
  void maxConnections_defaultBelowFdLimit_setByFileOrEnvironment_printedAndLoadsBackEqual() throws Exception {
    ReproxConfig builtin = ConfigLoader.builtin();
    assertThat(builtin.maxConnections()).isEqualTo(ReproxConfig.defaultMaxConnections()).isBetween(1, 4096);
    assertThat(ConfigPrinter.toYaml(builtin)).contains("max-connections: " + builtin.maxConnections());

    Path file = dir.resolve("limit.yaml");
    Files.writeString(file, "max-connections: 300\n");
    ReproxConfig fromFile = ConfigLoader.load(Optional.of(file), Map.of(), Overrides.none());
    assertThat(fromFile.maxConnections()).isEqualTo(300);
    String yaml = ConfigPrinter.toYaml(fromFile);
    assertThat(yaml).contains("max-connections: 300");
    assertThat(reload(yaml)).isEqualTo(fromFile);

    ReproxConfig fromEnv = ConfigLoader.load(Optional.of(file), Map.of("REPROX_MAX_CONNECTIONS", "12"), Overrides.none());
    assertThat(fromEnv.maxConnections()).isEqualTo(12);
  }

  @Test
  void log_defaultTextWithAccess_setByFileOrEnvironment_printedAndLoadsBackEqual() throws Exception {
    ReproxConfig builtin = ConfigLoader.builtin();
    assertThat(builtin.log()).isEqualTo(new ReproxConfig.Log(true, ReproxConfig.Log.Format.TEXT));
    assertThat(ConfigPrinter.toYaml(builtin)).contains("log:\n  access: true\n  format: text\n");

    Path file = dir.resolve("log.yaml");
    Files.writeString(file, "log:\n  access: false\n  format: json\n");
    ReproxConfig fromFile = ConfigLoader.load(Optional.of(file), Map.of(), Overrides.none());
    assertThat(fromFile.log()).isEqualTo(new ReproxConfig.Log(false, ReproxConfig.Log.Format.JSON));
    assertThat(reload(ConfigPrinter.toYaml(fromFile))).isEqualTo(fromFile);

    // REPROX_LOG_LEVEL is logback's, not configuration: left alone, not an error.
    ReproxConfig fromEnv = ConfigLoader.load(Optional.empty(), Map.of("REPROX_LOG_FORMAT", "json",
        "REPROX_LOG_ACCESS", "false", "REPROX_LOG_LEVEL", "DEBUG"), Overrides.none());
    assertThat(fromEnv.log()).isEqualTo(new ReproxConfig.Log(false, ReproxConfig.Log.Format.JSON));
  }

  @Test
  void leakDetection_disabledByDefault_setByFileOrEnvironment_printedAndLoadsBackEqual() throws Exception {
    ReproxConfig builtin = ConfigLoader.builtin();
    assertThat(builtin.log().leakDetection()).isEqualTo(ReproxConfig.Log.LeakDetection.DISABLED);
    assertThat(ConfigPrinter.toYaml(builtin)).contains("log:\n  access: true\n  format: text\n  leak-detection: disabled\n");

    Path file = dir.resolve("leaks.yaml");
    Files.writeString(file, "log:\n  leak-detection: paranoid\n");
    ReproxConfig fromFile = ConfigLoader.load(Optional.of(file), Map.of(), Overrides.none());
    assertThat(fromFile.log()).isEqualTo(
        new ReproxConfig.Log(true, ReproxConfig.Log.Format.TEXT, ReproxConfig.Log.LeakDetection.PARANOID));
    assertThat(reload(ConfigPrinter.toYaml(fromFile))).isEqualTo(fromFile);

    ReproxConfig fromEnv = ConfigLoader.load(Optional.of(file), Map.of("REPROX_LOG_LEAK_DETECTION", "simple"),
        Overrides.none());
    assertThat(fromEnv.log().leakDetection()).isEqualTo(ReproxConfig.Log.LeakDetection.SIMPLE);
  }

  private ReproxConfig reload(String yaml) throws Exception {
    Path out = Files.createTempFile(dir, "effective", ".yaml");
    Files.writeString(out, yaml);
    return ConfigLoader.load(Optional.of(out), Map.of(), Overrides.none());
  }

  @Test
  void toYaml_credentialsInUrls_printsUserAndStars() throws Exception {
    Path file = dir.resolve("in.yaml");
    Files.writeString(file, """
        repositories:
          private:
            format: apt
            upstream: https://bob:s3cr%40t@mirror.example/debian/
            snapshot: http://snap:hunter2@snap.example/archive/debian
            keyring: none
        """);
    ReproxConfig config = ConfigLoader.load(Optional.of(file), Map.of(), Overrides.none());

    String yaml = ConfigPrinter.toYaml(config);

    assertThat(yaml).contains("upstream: https://bob:***@mirror.example/debian",
        "snapshot: http://snap:***@snap.example/archive/debian/");
    assertThat(yaml).doesNotContain("s3cr", "hunter2");
    RepositoryConfig r = config.repositories().get("private");
    // Kept apart from the URL, which anything may show; percent-decoded as the header needs them.
    assertThat(r.upstream().toString()).isEqualTo("https://mirror.example/debian");
    assertThat(r.upstreamCredentials()).contains(new BasicCredentials("bob", "s3cr@t"));
    assertThat(r.snapshotCredentials()).contains(new BasicCredentials("snap", "hunter2"));
    assertThat(r.toString()).doesNotContain("s3cr", "hunter2");
  }

  @Test
  void load_invalidUrlWithPassword_errorDoesNotShowIt() throws Exception {
    Path file = dir.resolve("in.yaml");
    Files.writeString(file, """
        repositories:
          private:
            format: apt
            upstream: ftp://bob:hunter2@mirror.example/debian/
        """);

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ConfigLoader.load(Optional.of(file), Map.of(), Overrides.none()))
        .hasMessageContaining("ftp://bob:***@mirror.example")
        .hasMessageNotContaining("hunter2");
  }
}
